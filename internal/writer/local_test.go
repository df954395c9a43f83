package writer

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"unicode"
)

var (
	allLanguages = []string{"ko", "en", "ja", "zh"}
	allTones     = []string{"professional", "friendly", "casual", "humorous", "serious", "energetic"}
	allPlatforms = []string{"youtube", "instagram", "tiktok", "facebook"}
	topics       = map[string]string{
		"ko": "초보자를 위한 홈카페 라떼아트",
		"en": "home espresso for beginners",
		"ja": "在宅ワークの集中術",
		"zh": "家庭咖啡拉花入门",
	}
)

func newLocalWriter(t testing.TB) *Writer {
	t.Helper()
	w, err := New(Config{}, nil, nil)
	if err != nil {
		t.Fatalf("New(local): %v", err)
	}
	return w
}

func writeLocalScript(t testing.TB, w *Writer, req Request) Script {
	t.Helper()
	s, err := w.Write(context.Background(), req)
	if err != nil {
		t.Fatalf("Write(%+v): %v", req, err)
	}
	return s
}

func TestLocalWriterIsTheDefault(t *testing.T) {
	w := newLocalWriter(t)
	s := writeLocalScript(t, w, Request{Topic: "홈카페"})
	if w.Name() != "local" || s.Provider != "local" || s.Model != localModel {
		t.Errorf("provider %q/%q model %q, want local/local %q", w.Name(), s.Provider, s.Model, localModel)
	}
	checkTiming(t, s, 60) // the contract's defaults: ko, youtube, professional, 60 s
	if !containsRunes(s.Hook, isHangul) {
		t.Errorf("default language is not Korean: %q", s.Hook)
	}
}

func TestLocalIsDeterministic(t *testing.T) {
	req := Request{Topic: "home espresso", Platform: "tiktok", Tone: "humorous", Language: "en", Audience: "students", TargetDuration: 75}
	first := writeLocalScript(t, newLocalWriter(t), req)
	for range 3 {
		if again := writeLocalScript(t, newLocalWriter(t), req); !reflect.DeepEqual(first, again) {
			t.Fatalf("same request, different scripts:\n%+v\n%+v", first, again)
		}
	}
	req.CampaignName = "Spring launch"
	other := writeLocalScript(t, newLocalWriter(t), req)
	if reflect.DeepEqual(first.Blocks, other.Blocks) {
		t.Errorf("a different campaign gave the very same script; the request hash ignores it")
	}
}

func TestLocalTonesSoundDifferent(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		for _, duration := range []int{15, 60, 240} {
			hooks, ctas, bodies := map[string]string{}, map[string]string{}, map[string]string{}
			for _, tone := range allTones {
				s := writeLocalScript(t, w, Request{Topic: topics[lang], Platform: "youtube", Tone: tone, Language: lang, TargetDuration: duration})
				if prev, dup := hooks[s.Hook]; dup {
					t.Errorf("%s %d s: tones %s and %s give the same hook %q", lang, duration, prev, tone, s.Hook)
				}
				if prev, dup := ctas[s.CTA]; dup {
					t.Errorf("%s %d s: tones %s and %s give the same cta %q", lang, duration, prev, tone, s.CTA)
				}
				if prev, dup := bodies[s.Body]; dup {
					t.Errorf("%s %d s: tones %s and %s give the same body %q", lang, duration, prev, tone, s.Body)
				}
				hooks[s.Hook], ctas[s.CTA], bodies[s.Body] = tone, tone, tone
			}
		}
	}
}

func TestLocalPlatformsGetTheirOwnCallToAction(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		for _, tone := range allTones {
			seen := map[string]string{}
			for _, platform := range allPlatforms {
				s := writeLocalScript(t, w, Request{Topic: topics[lang], Platform: platform, Tone: tone, Language: lang, TargetDuration: 45})
				if prev, dup := seen[s.CTA]; dup {
					t.Errorf("%s %s: %s and %s get the same cta %q", lang, tone, prev, platform, s.CTA)
				}
				seen[s.CTA] = platform
			}
		}
	}
}

func TestLocalHooksVaryAcrossTopics(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		for _, tone := range allTones {
			templates := map[string]bool{}
			for i := range 40 {
				topic := fmt.Sprintf("%s %d", topics[lang], i)
				s := writeLocalScript(t, w, Request{Topic: topic, Tone: tone, Language: lang, TargetDuration: 60})
				templates[strings.ReplaceAll(s.Hook, topic, "{topic}")] = true
			}
			if len(templates) < 3 {
				t.Errorf("%s %s: 40 topics used only %d hook templates: %v", lang, tone, len(templates), templates)
			}
		}
	}
}

func isHangul(r rune) bool { return unicode.Is(unicode.Hangul, r) }
func isKana(r rune) bool   { return unicode.In(r, unicode.Hiragana, unicode.Katakana) }
func isHan(r rune) bool    { return unicode.Is(unicode.Han, r) }
func isCJK(r rune) bool    { return isHangul(r) || isKana(r) || isHan(r) }

func containsRunes(s string, class func(rune) bool) bool { return strings.IndexFunc(s, class) >= 0 }

func TestLocalWritesEveryLanguage(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		for _, tone := range allTones {
			for _, platform := range allPlatforms {
				s := writeLocalScript(t, w, Request{Topic: topics[lang], Platform: platform, Tone: tone, Language: lang, Audience: "", TargetDuration: 90})
				text := s.Hook + "\n" + s.Body + "\n" + s.CTA
				if strings.ContainsAny(text, "{}") {
					t.Errorf("%s/%s/%s: unfilled slot in %q", lang, tone, platform, text)
				}
				var ok bool
				switch lang {
				case "ko":
					ok = containsRunes(text, isHangul) && !containsRunes(text, isKana)
				case "ja":
					ok = containsRunes(text, isKana) && !containsRunes(text, isHangul)
				case "zh":
					ok = containsRunes(text, isHan) && !containsRunes(text, isKana) && !containsRunes(text, isHangul)
				case "en":
					ok = !containsRunes(text, isCJK)
				}
				if !ok {
					t.Errorf("%s/%s/%s: script is not in %s: %q", lang, tone, platform, lang, text)
				}
			}
		}
	}
}

func TestLocalUsesTheAudience(t *testing.T) {
	w := newLocalWriter(t)
	found := false
	for i := range 30 {
		s := writeLocalScript(t, w, Request{Topic: fmt.Sprintf("budget travel %d", i), Language: "en", Audience: "busy parents", TargetDuration: 300})
		found = found || strings.Contains(s.Body, "busy parents")
	}
	if !found {
		t.Errorf("30 five-minute scripts never spoke to the audience")
	}
}

func TestLocalBodyGrowsWithDuration(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		prevChars := 0
		for _, tt := range []struct{ duration, bodies int }{{10, 1}, {20, 1}, {30, 2}, {60, 3}, {120, 4}, {300, 5}, {600, 5}} {
			s := writeLocalScript(t, w, Request{Topic: topics[lang], Language: lang, TargetDuration: tt.duration})
			if got := len(s.Blocks) - 2; got != tt.bodies {
				t.Errorf("%s %d s: %d body blocks, want %d", lang, tt.duration, got, tt.bodies)
			}
			chars := len([]rune(s.Body))
			if chars <= prevChars && tt.duration > 20 {
				t.Errorf("%s %d s: body of %d characters, no longer than the shorter video's %d", lang, tt.duration, chars, prevChars)
			}
			prevChars = chars
		}
	}
}

// TestLocalTimingRulesHoldForEveryDuration writes a script for every target duration of
// the contract in every language and holds each to the timing rules.
func TestLocalTimingRulesHoldForEveryDuration(t *testing.T) {
	w := newLocalWriter(t)
	step := 1
	if testing.Short() {
		step = 7
	}
	for _, lang := range allLanguages {
		for d := 10; d <= 600; d += step {
			req := Request{
				Topic:          topics[lang],
				Tone:           allTones[d%len(allTones)],
				Platform:       allPlatforms[d%len(allPlatforms)],
				Language:       lang,
				TargetDuration: d,
			}
			s := writeLocalScript(t, w, req)
			t.Run(fmt.Sprintf("%s/%d", lang, d), func(t *testing.T) { checkTiming(t, s, d) })
		}
	}
}

// TestLocalLandsNearTheTargetBeforeRescaling checks that the body is sized to the
// duration budget, so that the blocks keep their natural reading times instead of being
// stretched or squeezed to fit.
func TestLocalLandsNearTheTargetBeforeRescaling(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		for _, topic := range []string{topics[lang], "AI"} {
			for d := 30; d <= 600; d += 15 {
				for _, tone := range []string{"professional", "casual", "energetic"} {
					s := writeLocalScript(t, w, Request{Topic: topic, Tone: tone, Language: lang, TargetDuration: d})
					natural := Estimate(s.Hook+"\n"+s.Body+"\n"+s.CTA, lang).Seconds
					if ratio := natural / float64(d); math.Abs(ratio-1) > 0.15 {
						t.Errorf("%s %q %s %d s: reads for %.1f s before timing (%.0f %% of the target)", lang, topic, tone, d, natural, ratio*100)
					}
				}
			}
		}
	}
}

func TestLocalNamesTheTopicSparingly(t *testing.T) {
	w := newLocalWriter(t)
	for _, lang := range allLanguages {
		topic := topics[lang]
		for _, d := range []int{60, 300, 600} {
			s := writeLocalScript(t, w, Request{Topic: topic, Language: lang, Tone: "friendly", TargetDuration: d})
			if n := strings.Count(s.Hook+s.Body+s.CTA, topic); n < 1 || n > maxTopicMentions {
				t.Errorf("%s %d s: topic named %d times, want 1-%d", lang, d, n, maxTopicMentions)
			}
		}
	}
}

func TestLocalKoreanRegisterFollowsTone(t *testing.T) {
	w := newLocalWriter(t)
	for i := range 10 {
		topic := fmt.Sprintf("홈카페 %d", i)
		formal := writeLocalScript(t, w, Request{Topic: topic, Tone: "professional", Language: "ko", TargetDuration: 120})
		for _, sentence := range strings.FieldsFunc(formal.Body, func(r rune) bool { return r == '.' || r == '!' || r == '?' }) {
			sentence = strings.TrimSpace(sentence)
			if strings.HasSuffix(sentence, "요") && !strings.HasSuffix(sentence, "세요") {
				t.Errorf("professional Korean body has a 해요체 sentence: %q", sentence)
			}
		}
		polite := writeLocalScript(t, w, Request{Topic: topic, Tone: "friendly", Language: "ko", TargetDuration: 120})
		if strings.Contains(polite.Body, "니다.") {
			t.Errorf("friendly Korean body uses 합니다체: %q", polite.Body)
		}
	}
}

func TestWriteRejectsWhatNoValidatedRequestHas(t *testing.T) {
	w := newLocalWriter(t)
	for _, req := range []Request{
		{Topic: ""},
		{Topic: "x", Language: "fr"},
		{Topic: "x", Tone: "sarcastic"},
		{Topic: "x", Platform: "myspace"},
		{Topic: "x", TargetDuration: 5},
		{Topic: "x", TargetDuration: 601},
	} {
		if _, err := w.Write(context.Background(), req); err == nil {
			t.Errorf("Write(%+v) succeeded, want an error", req)
		}
	}
	s := writeLocalScript(t, w, Request{Topic: "x", Language: " EN ", Tone: "Casual", Platform: "TikTok"})
	if !strings.Contains(s.CTA, "follow") && !strings.Contains(s.CTA, "Follow") {
		t.Errorf("upper-case enums were not normalized: %q", s.CTA)
	}
}
