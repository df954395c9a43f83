package writer

import "testing"

func TestEstimate(t *testing.T) {
	tests := []struct {
		name, text, language string
		want                 DurationEstimate
	}{
		{"empty text is 0 s", "", "en", DurationEstimate{}},
		{"white space only is 0 s", "  \n\n\t ", "ko", DurationEstimate{}},
		{"english words at 150 per minute", "Hello world", "en", DurationEstimate{Seconds: 0.8, Characters: 10, Words: 2}},
		{"full stop adds 0.5 s", "Hello world.", "en", DurationEstimate{Seconds: 1.3, Characters: 10, Words: 2, Pauses: 1}},
		{"comma 0.3 s and question mark 0.5 s", "Wait, what?", "en", DurationEstimate{Seconds: 1.6, Characters: 8, Words: 2, Pauses: 2}},
		{"colon adds 0.2 s", "Note: this", "en", DurationEstimate{Seconds: 1.0, Characters: 8, Words: 2, Pauses: 1}},
		{"semicolon adds 0.3 s", "Stop; think", "en", DurationEstimate{Seconds: 1.1, Characters: 9, Words: 2, Pauses: 1}},
		{"a run of marks is one pause", "Really?!", "en", DurationEstimate{Seconds: 0.9, Characters: 6, Words: 1, Pauses: 1}},
		{"an ellipsis is one sentence pause", "Wait...", "en", DurationEstimate{Seconds: 0.9, Characters: 4, Words: 1, Pauses: 1}},
		{"decimal point is part of the number", "It costs 3.5 dollars", "en", DurationEstimate{Seconds: 1.6, Characters: 16, Words: 4}},
		{"thousands separator is part of the number", "1,000 people", "en", DurationEstimate{Seconds: 0.8, Characters: 10, Words: 2}},
		{"newline adds 0.4 s to punctuation", "One.\nTwo.", "en", DurationEstimate{Seconds: 2.2, Characters: 6, Words: 2, Pauses: 3}},
		{"blank lines are one newline pause", "One\n\n\nTwo", "en", DurationEstimate{Seconds: 1.2, Characters: 6, Words: 2, Pauses: 1}},
		{"CRLF is one newline", "One\r\nTwo", "en", DurationEstimate{Seconds: 1.2, Characters: 6, Words: 2, Pauses: 1}},
		{"leading and trailing newlines are free", "\nOne two\n", "en", DurationEstimate{Seconds: 0.8, Characters: 6, Words: 2}},
		{"emoji is not a word", "Hi 👋", "en", DurationEstimate{Seconds: 0.4, Characters: 2, Words: 1}},
		{"korean at 200 characters per minute", "안녕하세요.", "ko", DurationEstimate{Seconds: 2.0, Characters: 5, Words: 1, Pauses: 1}},
		{"korean spaces are not characters", "안녕하세요, 여러분!", "ko", DurationEstimate{Seconds: 3.2, Characters: 8, Words: 2, Pauses: 2}},
		{"japanese at 180 characters per minute", "こんにちは。", "ja", DurationEstimate{Seconds: 2.17, Characters: 5, Words: 1, Pauses: 1}},
		{"japanese comma 、", "はい、そうです。", "ja", DurationEstimate{Seconds: 2.8, Characters: 6, Words: 1, Pauses: 2}},
		{"chinese full-width ！ and ？ weigh like ! and ?", "你好！你好？", "zh", DurationEstimate{Seconds: 2.09, Characters: 4, Words: 1, Pauses: 2}},
		{"chinese full-width ，；：", "你好，世界；再见：", "zh", DurationEstimate{Seconds: 2.44, Characters: 6, Words: 1, Pauses: 3}},
		{"chinese 。", "好。", "zh", DurationEstimate{Seconds: 0.77, Characters: 1, Words: 1, Pauses: 1}},
		{"unknown language is read as korean", "안녕", "xx", DurationEstimate{Seconds: 0.6, Characters: 2, Words: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Estimate(tt.text, tt.language); got != tt.want {
				t.Errorf("Estimate(%q, %q) = %+v, want %+v", tt.text, tt.language, got, tt.want)
			}
		})
	}
}

func TestEstimatePausesAdd(t *testing.T) {
	base := Estimate("one two three", "en").Seconds
	for _, tt := range []struct {
		text  string
		extra float64
	}{
		{"one. two. three.", 1.5},
		{"one, two, three", 0.6},
		{"one: two three", 0.2},
		{"one\ntwo\nthree", 0.8},
		{"one. two, three:", 1.0},
		{"one.\ntwo three", 0.9},
	} {
		if got := Estimate(tt.text, "en").Seconds; roundTo(got-base, 100) != tt.extra {
			t.Errorf("Estimate(%q) = %v s, want %v s of speech + %v s of pauses", tt.text, got, base, tt.extra)
		}
	}
}
