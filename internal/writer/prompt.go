package writer

import (
	"fmt"
	"strings"
)

var languageNames = map[string]string{
	"ko": "Korean (한국어)",
	"en": "English",
	"ja": "Japanese (日本語)",
	"zh": "Simplified Chinese (简体中文)",
}

// systemPrompt sets the model's role and the answer format that parseScript reads.
const systemPrompt = `You are a senior scriptwriter at a marketing agency. You write voice-over scripts for short social videos that are read aloud exactly as written.

Answer with the script only, in exactly this format and with these English headings:

HOOK:
<one or two short sentences that stop the viewer in the first seconds>

BODY:
1. <first point>
2. <second point>

CTA:
<one call to action suited to the platform>

Rules: write every sentence in the requested language; plain spoken text only, with no markdown, emoji, hashtags, stage directions, sound cues, speaker names or timings; keep each part within its length budget, because the script is timed by reading speed.`

// speechBudget describes how much text fits in seconds of speech in the language, in
// the unit its reading speed is measured in, leaving about a fifth of the time for the
// pauses at punctuation.
func speechBudget(seconds float64, language string) string {
	perUnit, byWords := secondsPerUnit(language)
	units := max(1, int(seconds*0.8/perUnit))
	if byWords {
		return fmt.Sprintf("about %d words", units)
	}
	return fmt.Sprintf("about %d characters", units)
}

// userPrompt asks for a script for req, with a length budget per part taken from the
// reading-speed model so the answer lands near the target duration.
func userPrompt(req Request) string {
	target := float64(req.TargetDuration)
	points := suggestedBodyPoints(req.TargetDuration)
	hookSeconds, ctaSeconds := hookAndCTASeconds(req.TargetDuration)
	pointSeconds := (target - hookSeconds - ctaSeconds) / float64(points)

	var b strings.Builder
	fmt.Fprintf(&b, "Write a %d-second %s video script.\n\n", req.TargetDuration, platformNames[req.Platform])
	fmt.Fprintf(&b, "Topic: %s\n", req.Topic)
	fmt.Fprintf(&b, "Language: %s\n", languageNames[req.Language])
	fmt.Fprintf(&b, "Tone: %s\n", req.Tone)
	if req.Audience != "" {
		fmt.Fprintf(&b, "Audience: %s\n", req.Audience)
	}
	if req.CampaignName != "" {
		fmt.Fprintf(&b, "Campaign: %s\n", req.CampaignName)
	}
	fmt.Fprintf(&b, "\nLength budget (the video is %d seconds read aloud):\n", req.TargetDuration)
	fmt.Fprintf(&b, "- HOOK: %s (about %.0f seconds)\n", speechBudget(hookSeconds, req.Language), hookSeconds)
	fmt.Fprintf(&b, "- BODY: exactly %d numbered points, each %s (about %.0f seconds each)\n",
		points, speechBudget(pointSeconds, req.Language), pointSeconds)
	fmt.Fprintf(&b, "- CTA: %s (about %.0f seconds)\n", speechBudget(ctaSeconds, req.Language), ctaSeconds)
	return b.String()
}

var platformNames = map[string]string{
	"youtube":   "YouTube",
	"instagram": "Instagram Reels",
	"tiktok":    "TikTok",
	"facebook":  "Facebook",
}

// suggestedBodyPoints is how many body points a script of target seconds should have:
// longer videos make more points, up to five, within what the timing rules allow.
func suggestedBodyPoints(target int) int {
	var n int
	switch {
	case target <= 20:
		n = 1
	case target <= 40:
		n = 2
	case target <= 90:
		n = 3
	case target <= 180:
		n = 4
	default:
		n = 5
	}
	return min(n, bodyBlockLimit(target))
}

// hookAndCTASeconds is the time a script of target seconds gives its hook (about the
// first three seconds, a little more in long videos) and its call to action.
func hookAndCTASeconds(target int) (hook, cta float64) {
	t := float64(target)
	hook = min(6, max(3.5, t*0.07))
	cta = min(12, max(3.5, t*0.1))
	return hook, cta
}
