package writer

import (
	"strings"
	"testing"
)

func TestAttachParticle(t *testing.T) {
	tests := []struct{ word, particle, want string }{
		{"라떼아트", "은", "라떼아트는"},
		{"홈카페", "을", "홈카페를"},
		{"마케팅", "이", "마케팅이"},
		{"마케팅", "과", "마케팅과"},
		{"커피", "과", "커피와"},
		{"서울", "으로", "서울로"},
		{"부산", "으로", "부산으로"},
		{"제주도", "으로", "제주도로"},
		{"2023", "을", "2023을"}, // 삼
		{"2022", "을", "2022를"}, // 이
		{"AI", "이", "AI가"},     // 에이아이
		{"SNS", "을", "SNS를"},   // 에스엔에스
		{"HTML", "은", "HTML은"}, // 엘
		{"YouTube", "을", "YouTube를"},
		{"TikTok", "은", "TikTok은"},
		{"Instagram", "이", "Instagram이"},
		{"구독과 좋아요", "을", "구독과 좋아요를"},
		{"채널 구독", "을", "채널 구독을"},
		{"「라떼」", "은", "「라떼」는"},
		{"강의", "이라", "강의라"},
		{"수업", "이라", "수업이라"},
	}
	for _, tt := range tests {
		if got := attachParticle(tt.word, tt.particle); got != tt.want {
			t.Errorf("attachParticle(%q, %q) = %q, want %q", tt.word, tt.particle, got, tt.want)
		}
	}
}

func TestKoreanFormal(t *testing.T) {
	tests := []struct{ polite, formal string }{
		{"정말 중요해요.", "정말 중요합니다."},
		{"금방 알 수 있어요.", "금방 알 수 있습니다."},
		{"좋은 동기는 없어요.", "좋은 동기는 없습니다."},
		{"진짜 변화가 돼요.", "진짜 변화가 됩니다."},
		{"전략 그 자체예요.", "전략 그 자체입니다."},
		{"아무도 못 본 연습이에요.", "아무도 못 본 연습입니다."},
		{"흐름을 만드는 거예요.", "흐름을 만드는 것입니다."},
		{"훨씬 쉬워져요.", "훨씬 쉬워집니다."},
		{"동기를 잃기 쉬워요.", "동기를 잃기 쉽습니다."},
		{"벌써 보여요.", "벌써 보입니다."},
		{"많은 걸 알려 줘요.", "많은 걸 알려 줍니다."},
		{"손에 남아요.", "손에 남습니다."},
		{"목표로 바뀌어요.", "목표로 바뀝니다."},
		{"노력이 이겨요.", "노력이 이깁니다."},
		{"훨씬 오래가요.", "훨씬 오래갑니다."},
		{"비용이 적게 들어요.", "비용이 적게 듭니다."},
		{"똑같은 부분에서 헤맸어요.", "똑같은 부분에서 헤맸습니다."},
		{"적용해 볼게요.", "적용해 보겠습니다."},
		{"기록을 남겨 두세요.", "기록을 남겨 두세요."},
		{"왜 그럴까요?", "왜 그럴까요?"},
		{"둘 다 좋아요. 결과가 달라요!", "둘 다 좋습니다. 결과가 다릅니다!"},
	}
	for _, tt := range tests {
		if got := koreanFormal(tt.polite); got != tt.formal {
			t.Errorf("koreanFormal(%q) = %q, want %q", tt.polite, got, tt.formal)
		}
	}
}

// TestKoreanBankEndingsConvert holds every sentence the formal tones read to an ending
// koreanFormal knows, so that a professional script never mixes 해요체 into 합니다체.
func TestKoreanBankEndingsConvert(t *testing.T) {
	var sentences []string
	for _, a := range koreanBank.angles {
		sentences = append(sentences, a.lead, a.short)
		sentences = append(sentences, a.beats...)
	}
	for tone := range koreanBank.formalTones {
		sentences = append(sentences, koreanBank.asides[tone]...)
	}
	for _, s := range sentences {
		formal := koreanFormal(s)
		for _, sentence := range strings.FieldsFunc(formal, func(r rune) bool { return r == '.' || r == '!' || r == '?' }) {
			sentence = strings.TrimSpace(sentence)
			if strings.HasSuffix(sentence, "요") && !strings.HasSuffix(sentence, "세요") && !strings.HasSuffix(sentence, "까요") {
				t.Errorf("%q stays polite in the formal register: %q", s, formal)
			}
		}
	}
}
