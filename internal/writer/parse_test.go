package writer

import (
	"errors"
	"slices"
	"testing"
)

func TestParseScript(t *testing.T) {
	tests := []struct {
		name   string
		answer string
		want   draft
	}{
		{
			name: "the requested format",
			answer: `HOOK:
Did you know most home baristas brew their coffee too hot?

BODY:
1. Let the kettle rest for thirty seconds after it boils.
2. Weigh your beans, because a scoop is never the same twice.
3. Taste, adjust one thing, and taste again.

CTA:
Follow for a new coffee tip every week!`,
			want: draft{
				hook: "Did you know most home baristas brew their coffee too hot?",
				body: []string{
					"Let the kettle rest for thirty seconds after it boils.",
					"Weigh your beans, because a scoop is never the same twice.",
					"Taste, adjust one thing, and taste again.",
				},
				cta: "Follow for a new coffee tip every week!",
			},
		},
		{
			name: "preamble, markdown headings, bullets and trailing notes",
			answer: `Sure! Here's your 60-second YouTube script:

## Hook (0-3s)
**Stop wasting money on coffee shop lattes.**

## Body
- **Point 1: Start simple.** You don't need a $2,000 machine; a moka pot works.
- Froth milk in a French press — pump it twenty times.
- Practice the pour: start high, then bring the jug close.

## CTA
Subscribe and turn on notifications so you never miss a tip!

---
*Word count: 98. Let me know if you'd like a more playful version!*`,
			want: draft{
				hook: "Stop wasting money on coffee shop lattes.",
				body: []string{
					"Start simple. You don't need a $2,000 machine; a moka pot works.",
					"Froth milk in a French press — pump it twenty times.",
					"Practice the pour: start high, then bring the jug close.",
				},
				cta: "Subscribe and turn on notifications so you never miss a tip!",
			},
		},
		{
			name: "korean bold labels with inline text",
			answer: `**훅:** 아직도 카페에서 매일 오천 원 쓰세요?

**본문:**
1. 모카포트 하나면 집에서도 진한 에스프레소를 만들 수 있어요.
2. 우유는 프렌치프레스로 스무 번만 펌핑하면 거품이 돼요.
3. 처음엔 하트 모양 하나만 목표로 연습하세요.

**CTA:** 도움이 되셨다면 구독과 좋아요 부탁드립니다!

참고: 각 문장은 약 3초 분량입니다.`,
			want: draft{
				hook: "아직도 카페에서 매일 오천 원 쓰세요?",
				body: []string{
					"모카포트 하나면 집에서도 진한 에스프레소를 만들 수 있어요.",
					"우유는 프렌치프레스로 스무 번만 펌핑하면 거품이 돼요.",
					"처음엔 하트 모양 하나만 목표로 연습하세요.",
				},
				cta: "도움이 되셨다면 구독과 좋아요 부탁드립니다!",
			},
		},
		{
			name: "korean markdown headings with timings and a code fence",
			answer: "다음은 요청하신 스크립트입니다.\n\n```\n### 🎬 훅 (0~3초)\n\"여러분, 라떼아트 실패하는 진짜 이유 아세요?\"\n\n### 본론\n" +
				"1) [화면: 우유 스티밍] 우유 온도는 60도를 넘기지 마세요.\n" +
				"2) 피처는 컵 가까이 대고, 천천히 부어 주세요.\n\n" +
				"### 마무리 (CTA)\n저장해 두고 내일 아침에 바로 따라 해 보세요!\n```\n\n이 스크립트가 마음에 드셨으면 좋겠습니다.",
			want: draft{
				hook: "여러분, 라떼아트 실패하는 진짜 이유 아세요?",
				body: []string{
					"우유 온도는 60도를 넘기지 마세요.",
					"피처는 컵 가까이 대고, 천천히 부어 주세요.",
				},
				cta: "저장해 두고 내일 아침에 바로 따라 해 보세요!",
			},
		},
		{
			name: "no body heading: the list follows the hook",
			answer: `Hook: Three habits that quietly ruin your sleep.

1. Scrolling in bed keeps your brain in daytime mode.
2. Late coffee lingers for up to eight hours.
3. A warm bedroom makes deep sleep harder.

Call to action: Follow for more science-backed sleep tips.`,
			want: draft{
				hook: "Three habits that quietly ruin your sleep.",
				body: []string{
					"Scrolling in bed keeps your brain in daytime mode.",
					"Late coffee lingers for up to eight hours.",
					"A warm bedroom makes deep sleep harder.",
				},
				cta: "Follow for more science-backed sleep tips.",
			},
		},
		{
			name: "numbered sections with sub-headed body points",
			answer: `Here is a script for TikTok.

**1. HOOK (0:00-0:03)**
Your houseplants are dying because of one mistake.

**2. BODY**

### Water less
Most plants die from too much water, not too little.

### Check the light
Move them closer to a window, but out of the harsh afternoon sun.

**3. CTA**
Follow for part two, where we fix yellow leaves!

Hope this helps!`,
			want: draft{
				hook: "Your houseplants are dying because of one mistake.",
				body: []string{
					"Most plants die from too much water, not too little.",
					"Move them closer to a window, but out of the harsh afternoon sun.",
				},
				cta: "Follow for part two, where we fix yellow leaves!",
			},
		},
		{
			name:   "japanese headings and full-width colons",
			answer: "フック：朝の五分で、一日の集中力が変わります。\n\n本文：\n・スマホは別の部屋に置きましょう。\n・最初の一時間は一番難しい仕事に使います。\n\n行動喚起：保存して、明日の朝に試してみてください。",
			want: draft{
				hook: "朝の五分で、一日の集中力が変わります。",
				body: []string{"スマホは別の部屋に置きましょう。", "最初の一時間は一番難しい仕事に使います。"},
				cta:  "保存して、明日の朝に試してみてください。",
			},
		},
		{
			name:   "chinese headings",
			answer: "开场：你每天喝的咖啡，可能一直都泡错了。\n\n正文：\n1. 水温控制在九十度左右。\n2. 粉水比例大约是一比十五。\n\n结尾：关注我，下期教你拉花。",
			want: draft{
				hook: "你每天喝的咖啡，可能一直都泡错了。",
				body: []string{"水温控制在九十度左右。", "粉水比例大约是一比十五。"},
				cta:  "关注我，下期教你拉花。",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseScript(tt.answer)
			if err != nil {
				t.Fatalf("parseScript: %v", err)
			}
			if got.hook != tt.want.hook {
				t.Errorf("hook = %q, want %q", got.hook, tt.want.hook)
			}
			if !slices.Equal(got.body, tt.want.body) {
				t.Errorf("body = %q, want %q", got.body, tt.want.body)
			}
			if got.cta != tt.want.cta {
				t.Errorf("cta = %q, want %q", got.cta, tt.want.cta)
			}
		})
	}
}

func TestParseScriptRejectsHalfScripts(t *testing.T) {
	for _, tt := range []struct{ name, answer string }{
		{"empty", ""},
		{"plain prose", "I'm sorry, but I can't help with writing that script."},
		{"prose without headings", "Coffee is great.\n\nYou should brew it well.\n\nFollow me!"},
		{"no call to action", "HOOK:\nCoffee tip incoming.\n\nBODY:\n1. Use fresh beans.\n2. Weigh them."},
		{"no body", "HOOK:\nCoffee tip incoming.\n\nCTA:\nFollow for more."},
		{"cut off after the hook", "## Hook\nDid you know"},
		{"headings without text", "HOOK:\n\nBODY:\n\nCTA:\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d, err := parseScript(tt.answer)
			if !errors.Is(err, ErrUnusableAnswer) {
				t.Errorf("parseScript = %+v, %v; want ErrUnusableAnswer", d, err)
			}
		})
	}
}

func TestHeadingIsNotAnOrdinarySentence(t *testing.T) {
	for _, line := range []string{
		"Hook your viewers with a question.",
		"Closing the lid keeps the heat in.",
		"Intro music is optional.",
		"内容丰富的视频更受欢迎。",
		"本文を読む前に。",
	} {
		if s, _, ok := heading(line); ok {
			t.Errorf("heading(%q) = section %d, want no heading", line, s)
		}
	}
}
