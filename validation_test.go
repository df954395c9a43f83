package omnivibe_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/omnivibepro/omnivibe"
)

// fields returns the fields of a validation error, in order.
func fields(err error) []string {
	e, ok := err.(*omnivibe.Error)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func decodeCampaign(t *testing.T, body string) omnivibe.CampaignInput {
	t.Helper()
	var in omnivibe.CampaignInput
	if err := json.Unmarshal([]byte(body), &in); err != nil {
		t.Fatalf("decode %s: %v", body, err)
	}
	return in
}

func TestCampaignInputCreate(t *testing.T) {
	tests := []struct {
		name       string
		body       string
		wantFields []string
	}{
		{"minimal", `{"client_id":1,"name":"Spring"}`, nil},
		{"every field", `{"client_id":1,"name":"Spring","description":"d","concept_gender":"female","concept_tone":"energetic",
			"concept_style":"cinematic","platform":"TikTok","target_duration":600,"voice_id":"v","voice_name":"n",
			"intro_video_url":"https://a.test/i.mp4","outro_video_url":"http://a.test/o","bgm_url":"https://a.test/b.mp3",
			"intro_duration":0,"outro_duration":10,"bgm_volume":1,"publish_schedule":"mon","auto_deploy":true,"status":"paused",
			"start_date":"2026-01-01","end_date":"2026-01-01"}`, nil},
		{"missing required", `{}`, []string{"client_id", "name"}},
		{"null required", `{"client_id":null,"name":null}`, []string{"client_id", "name"}},
		{"blank name", `{"client_id":1,"name":"   "}`, []string{"name"}},
		{"long name", `{"client_id":1,"name":"` + strings.Repeat("가", 201) + `"}`, []string{"name"}},
		{"200 Korean characters is fine", `{"client_id":1,"name":"` + strings.Repeat("가", 200) + `"}`, nil},
		{"control character", `{"client_id":1,"name":"a\u0000b"}`, []string{"name"}},
		{"bad enums", `{"client_id":1,"name":"x","concept_gender":"robot","concept_tone":"angry","concept_style":"x","platform":"myspace","status":"deleted"}`,
			[]string{"concept_gender", "concept_tone", "concept_style", "platform", "status"}},
		{"ranges", `{"client_id":1,"name":"x","target_duration":9,"intro_duration":-1,"outro_duration":10.5,"bgm_volume":1.01}`,
			[]string{"target_duration", "intro_duration", "outro_duration", "bgm_volume"}},
		{"duration too long", `{"client_id":1,"name":"x","target_duration":601}`, []string{"target_duration"}},
		{"urls", `{"client_id":1,"name":"x","intro_video_url":"javascript:alert(1)","outro_video_url":"ftp://x","bgm_url":"https://"}`,
			[]string{"intro_video_url", "outro_video_url", "bgm_url"}},
		{"dates", `{"client_id":1,"name":"x","start_date":"2026-02-30","end_date":"tomorrow"}`, []string{"start_date", "end_date"}},
		{"end before start", `{"client_id":1,"name":"x","start_date":"2026-02-02","end_date":"2026-02-01"}`, []string{"end_date"}},
		{"description limit", `{"client_id":1,"name":"x","description":"` + strings.Repeat("a", 2001) + `"}`, []string{"description"}},
		{"description keeps newlines", `{"client_id":1,"name":"x","description":"line 1\nline 2\ttab"}`, nil},
		{"non-nullable null", `{"client_id":1,"name":"x","intro_duration":null,"auto_deploy":null,"status":null}`, []string{"intro_duration", "auto_deploy", "status"}},
		{"bad client id", `{"client_id":0,"name":"x"}`, []string{"client_id"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := omnivibe.NewCampaign()
			err := decodeCampaign(t, tc.body).Apply(&c, true)
			got := fields(err)
			if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
				t.Fatalf("got fields %v (%v), want %v", got, err, tc.wantFields)
			}
			if err != nil && omnivibe.ErrorCode(err) != omnivibe.CodeValidation {
				t.Fatalf("got code %q, want validation_error", omnivibe.ErrorCode(err))
			}
		})
	}
}

func TestCampaignInputDefaultsAndNormalization(t *testing.T) {
	c := omnivibe.NewCampaign()
	if err := decodeCampaign(t, `{"client_id":7,"name":"  Spring  ","platform":"YouTube","concept_tone":"Casual"}`).Apply(&c, true); err != nil {
		t.Fatal(err)
	}
	if c.Name != "Spring" || *c.Platform != "youtube" || *c.ConceptTone != "casual" {
		t.Fatalf("got name %q platform %q tone %q", c.Name, *c.Platform, *c.ConceptTone)
	}
	if c.IntroDuration != 5 || c.OutroDuration != 5 || c.BGMVolume != 0.3 || c.Status != "active" || c.AutoDeploy {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestCampaignInputPatch(t *testing.T) {
	c := omnivibe.NewCampaign()
	if err := decodeCampaign(t, `{"client_id":7,"name":"Spring","platform":"youtube","target_duration":60,"description":"keep"}`).Apply(&c, true); err != nil {
		t.Fatal(err)
	}
	before := c
	if err := decodeCampaign(t, `{}`).Apply(&c, false); err != nil {
		t.Fatal(err)
	}
	if c.Name != before.Name || *c.Platform != "youtube" || *c.TargetDuration != 60 {
		t.Fatalf("empty patch changed the campaign: %+v", c)
	}
	if err := decodeCampaign(t, `{"platform":null,"target_duration":null,"name":"Summer"}`).Apply(&c, false); err != nil {
		t.Fatal(err)
	}
	if c.Platform != nil || c.TargetDuration != nil || c.Name != "Summer" || c.Description != "keep" {
		t.Fatalf("patch: got platform %v duration %v name %q description %q", c.Platform, c.TargetDuration, c.Name, c.Description)
	}
	// A broken patch changes nothing, not even its valid fields.
	snapshot := c
	if err := decodeCampaign(t, `{"name":"Autumn","bgm_volume":2}`).Apply(&c, false); err == nil {
		t.Fatal("want an error")
	}
	if c.Name != snapshot.Name || c.BGMVolume != snapshot.BGMVolume {
		t.Fatalf("a refused patch was half applied: %+v", c)
	}
	// The end date is checked against the stored start date.
	if err := decodeCampaign(t, `{"start_date":"2026-05-01"}`).Apply(&c, false); err != nil {
		t.Fatal(err)
	}
	if got := fields(decodeCampaign(t, `{"end_date":"2026-04-30"}`).Apply(&c, false)); len(got) != 1 || got[0] != "end_date" {
		t.Fatalf("got %v, want [end_date]", got)
	}
}

func TestClientInput(t *testing.T) {
	tests := []struct {
		body       string
		wantFields []string
	}{
		{`{"name":"Acme 한글 🎬"}`, nil},
		{`{"name":"Acme","brand_color":"#a1B2c3","logo_url":"https://x.test/l.png","contact_email":"ceo@x.test","website_url":"http://x.test"}`, nil},
		{`{"name":"Acme","brand_color":"","logo_url":null,"contact_email":""}`, nil},
		{`{}`, []string{"name"}},
		{`{"name":"Acme","brand_color":"red","logo_url":"x","contact_email":"not-an-email","website_url":"//x.test"}`,
			[]string{"brand_color", "logo_url", "contact_email", "website_url"}},
		{`{"name":"Acme","brand_color":"#12345"}`, []string{"brand_color"}},
		{`{"name":"Acme","industry":"` + strings.Repeat("i", 101) + `"}`, []string{"industry"}},
		{`{"name":"Acme","contact_email":"Name <a@b.co>"}`, []string{"contact_email"}},
	}
	for _, tc := range tests {
		var in omnivibe.ClientInput
		if err := json.Unmarshal([]byte(tc.body), &in); err != nil {
			t.Fatal(err)
		}
		var c omnivibe.Client
		got := fields(in.Apply(&c, true))
		if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
			t.Errorf("%s: got %v, want %v", tc.body, got, tc.wantFields)
		}
	}
}

func TestContentInput(t *testing.T) {
	d := 90
	p := "instagram"
	campaign := omnivibe.Campaign{ID: 3, TargetDuration: &d, Platform: &p}
	tests := []struct {
		name       string
		campaign   omnivibe.Campaign
		body       string
		wantFields []string
		check      func(c omnivibe.Content) string
	}{
		{"defaults from campaign", campaign, `{"topic":"AI 비디오"}`, nil, func(c omnivibe.Content) string {
			if c.Platform != "instagram" || c.TargetDuration != 90 || c.Language != "ko" || c.Status != "draft" || c.CampaignID != 3 {
				return "defaults not applied"
			}
			return ""
		}},
		{"defaults without campaign values", omnivibe.Campaign{ID: 3}, `{"topic":"t","platform":"youtube"}`, nil, func(c omnivibe.Content) string {
			if c.TargetDuration != 60 {
				return "default duration is not 60"
			}
			return ""
		}},
		{"platform required without campaign platform", omnivibe.Campaign{ID: 3}, `{"topic":"t"}`, []string{"platform"}, nil},
		{"topic required", campaign, `{"title":"x"}`, []string{"topic"}, nil},
		{"blank topic", campaign, `{"topic":"  "}`, []string{"topic"}, nil},
		{"topic too long", campaign, `{"topic":"` + strings.Repeat("t", 501) + `"}`, []string{"topic"}, nil},
		{"bad values", campaign, `{"topic":"t","language":"fr","target_duration":5,"publish_date":"2026-13-01","status":"script_generated"}`,
			[]string{"language", "target_duration", "publish_date", "status"}, nil},
		{"keywords cleaned", campaign, `{"topic":"t","keywords":[" ai ","ai","","영상"]}`, nil, func(c omnivibe.Content) string {
			if strings.Join(c.Keywords, "|") != "ai|영상" {
				return "keywords: " + strings.Join(c.Keywords, "|")
			}
			return ""
		}},
		{"too many keywords", campaign, `{"topic":"t","keywords":[` + strings.Repeat(`"k",`, 0) + manyKeywords(31) + `]}`, []string{"keywords"}, nil},
		{"10,000 copies of one keyword", campaign, `{"topic":"t","keywords":[` + strings.TrimSuffix(strings.Repeat(`"k",`, 10000), ",") + `]}`, []string{"keywords"}, nil},
		{"10,000 blank keywords", campaign, `{"topic":"t","keywords":[` + strings.TrimSuffix(strings.Repeat(`" ",`, 10000), ",") + `]}`, []string{"keywords"}, nil},
		{"30 keywords", campaign, `{"topic":"t","keywords":[` + manyKeywords(30) + `]}`, nil, nil},
		{"keyword with a direction override", campaign, `{"topic":"t","keywords":["abc\u202Etxt.exe"]}`, []string{"keywords"}, nil},
		{"keyword too long", campaign, `{"topic":"t","keywords":["` + strings.Repeat("k", 51) + `"]}`, []string{"keywords"}, nil},
		{"client may publish", campaign, `{"topic":"t","status":"published"}`, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var in omnivibe.ContentInput
			if err := json.Unmarshal([]byte(tc.body), &in); err != nil {
				t.Fatal(err)
			}
			c := omnivibe.NewContent(tc.campaign)
			err := in.Apply(&c, true)
			if got := fields(err); strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
				t.Fatalf("got %v (%v), want %v", got, err, tc.wantFields)
			}
			if tc.check != nil {
				if msg := tc.check(c); msg != "" {
					t.Fatal(msg)
				}
			}
		})
	}
}

func manyKeywords(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = `"k` + strings.Repeat("x", i) + `"`
	}
	return strings.Join(parts, ",")
}

func TestRegistration(t *testing.T) {
	tests := []struct {
		in         omnivibe.Registration
		wantFields []string
	}{
		{omnivibe.Registration{Email: " Kim@Example.COM ", Password: "Passw0rd", Name: "김민수"}, nil},
		{omnivibe.Registration{Email: "no-at-sign", Password: "short1A", Name: ""}, []string{"email", "password", "name"}},
		{omnivibe.Registration{Email: "a@b", Password: "alllowercase1", Name: "x"}, []string{"email", "password"}},
		{omnivibe.Registration{Email: "a@b.co", Password: "NODIGITSHere", Name: "x"}, []string{"password"}},
		{omnivibe.Registration{Email: "a@b.co", Password: strings.Repeat("aA1", 43), Name: "x"}, []string{"password"}},
		{omnivibe.Registration{Email: "a@b.co", Password: "비밀번호Aa1234", Name: "x"}, nil},
	}
	for _, tc := range tests {
		in := tc.in
		got := fields(in.Validate())
		if strings.Join(got, ",") != strings.Join(tc.wantFields, ",") {
			t.Errorf("%+v: got %v, want %v", tc.in, got, tc.wantFields)
		}
	}
	r := omnivibe.Registration{Email: " Kim@Example.COM ", Password: "Passw0rd", Name: "Kim"}
	if err := r.Validate(); err != nil || r.Email != "kim@example.com" {
		t.Fatalf("email not normalized: %q, %v", r.Email, err)
	}
}

func TestPlans(t *testing.T) {
	free, ok := omnivibe.PlanByID("free")
	if !ok || *free.Quotas.Scripts != 15 || *free.Quotas.Audio != 15 || *free.Quotas.Renders != 5 || free.Quotas.VoiceClones != 0 {
		t.Fatalf("free: %+v", free)
	}
	pro, _ := omnivibe.PlanByID("pro")
	if pro.Quotas.Scripts != nil || pro.Quotas.Audio != nil || *pro.Quotas.Renders != 100 || pro.PriceUSDMonth != 49 {
		t.Fatalf("pro: %+v", pro)
	}
	ent, _ := omnivibe.PlanByID("enterprise")
	if ent.Quotas.Renders != nil || ent.Quotas.VoiceClones != 10 {
		t.Fatalf("enterprise: %+v", ent)
	}
	b, _ := json.Marshal(pro)
	if !strings.Contains(string(b), `"scripts":null`) {
		t.Fatalf("unlimited must encode as null: %s", b)
	}
	if err := (&omnivibe.PlanChange{Plan: "platinum"}).Validate(); omnivibe.ErrorCode(err) != omnivibe.CodeValidation {
		t.Fatalf("unknown plan: got %v", err)
	}
}

// Every free text that reaches speech (and the screens that show it) refuses
// control characters but line breaks and tabs, whichever route sends it: a
// NUL in an edited script block went on to the synthesizer.
func TestSpokenTextRefusesControlCharacters(t *testing.T) {
	for _, bad := range []string{"a\u0000", "a\x1b[2J", "a\u0085b", "a\u007f"} {
		checks := map[string]func() error{
			"script block": func() error {
				return omnivibe.ScriptEdit{Blocks: []omnivibe.ScriptEditBlock{{Type: "hook", Text: "h"}, {Type: "body", Text: bad}, {Type: "cta", Text: "c"}}}.Validate()
			},
			"writer topic":    func() error { r := omnivibe.ScriptRequest{Topic: bad}; return r.Check() },
			"writer audience": func() error { r := omnivibe.ScriptRequest{Topic: "t", Audience: bad}; return r.Check() },
			"writer campaign": func() error { r := omnivibe.ScriptRequest{Topic: "t", CampaignName: bad}; return r.Check() },
			"duration text":   func() error { r := omnivibe.DurationRequest{Text: bad}; return r.Validate() },
			"audio text":      func() error { r := omnivibe.AudioRequest{Text: bad}; return r.Validate() },
			"verify text":     func() error { r := omnivibe.VerifyRequest{Text: bad}; return r.Validate() },
		}
		for name, check := range checks {
			err := check()
			if omnivibe.ErrorCode(err) != omnivibe.CodeValidation || !strings.Contains(err.Error(), "control characters") {
				t.Errorf("%s %q: %v, want a validation error about control characters", name, bad, err)
			}
		}
	}
	// Multi-line text keeps its line breaks and tabs.
	text := "line one\r\nline two\tend"
	for name, err := range map[string]error{
		"script block": omnivibe.ScriptEdit{Blocks: []omnivibe.ScriptEditBlock{{Type: "hook", Text: "h"}, {Type: "body", Text: text}, {Type: "cta", Text: "c"}}}.Validate(),
		"duration":     (&omnivibe.DurationRequest{Text: text}).Validate(),
		"audio":        (&omnivibe.AudioRequest{Text: text}).Validate(),
		"verify":       (&omnivibe.VerifyRequest{Text: text}).Validate(),
	} {
		if err != nil {
			t.Errorf("%s with line breaks and tabs: %v", name, err)
		}
	}
}

// Names and every other one-line text refuse the bidirectional controls
// (U+202E makes "Invoice\u202Efdp.exe" read "Invoiceexe.pdf") and the
// invisible characters that disguise a name, with an error that names the
// character; scripts of every language, and emoji sequences, still pass.
func TestOneLineTextRefusesInvisibleFormatCharacters(t *testing.T) {
	one := func(name string) map[string]error {
		reg := omnivibe.Registration{Email: "a@example.com", Password: "Passw0rd!", Name: name, AccountName: "Works"}
		member := omnivibe.NewMember{Email: "m@example.com", Password: "Passw0rd!", Name: name, Role: "member"}
		key := omnivibe.NewAPIKey{Name: name}
		c := omnivibe.NewCampaign()
		cl := omnivibe.Client{}
		return map[string]error{
			"registration name": reg.Validate(),
			"member name":       member.Validate(),
			"api key name":      key.Validate(),
			"account name":      omnivibe.ValidateAccountName(name),
			"campaign name":     omnivibe.CampaignInput{ClientID: omnivibe.Some(int64(1)), Name: omnivibe.Some(name)}.Apply(&c, true),
			"client name":       omnivibe.ClientInput{Name: omnivibe.Some(name)}.Apply(&cl, true),
		}
	}
	for _, r := range []rune{0x202E, 0x202A, 0x202B, 0x202C, 0x202D, 0x2066, 0x2067, 0x2068, 0x2069, 0x200E, 0x200F, 0x061C,
		0x200B, 0x2060, 0xFEFF, 0x00AD, 0x3164, 0xFFA0, 0xE0041} {
		for what, err := range one("Invoice" + string(r) + "fdp.exe") {
			want := fmt.Sprintf("U+%04X", r)
			if omnivibe.ErrorCode(err) != omnivibe.CodeValidation || !strings.Contains(err.Error(), "invisible or text-direction characters (found "+want+")") {
				t.Errorf("%s with %s: %v, want a validation error naming %s", what, want, err, want)
			}
		}
	}
	for _, name := range []string{"카페 라떼", "喫茶店", "مقهى", "کافه‌ها", "👩‍💻 Studio", "Café Noir"} { // Persian needs U+200C, the emoji U+200D
		for what, err := range one(name) {
			if err != nil {
				t.Errorf("%s %q: %v", what, name, err)
			}
		}
	}
}
