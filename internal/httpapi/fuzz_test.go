package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/omnivibepro/omnivibe"
)

// inputs are the request types the API decodes, each with the rule a
// decoded value goes through before the service sees it.
var inputs = []func(body []byte) (decodeErr, ruleErr error){
	decodeThen(func(in *omnivibe.CampaignInput) error { var c omnivibe.Campaign; return in.Apply(&c, true) }),
	decodeThen(func(in *omnivibe.CampaignInput) error {
		c := omnivibe.Campaign{ClientID: 1, Name: "existing", Status: "active"}
		return in.Apply(&c, false)
	}),
	decodeThen(func(in *omnivibe.ClientInput) error { var c omnivibe.Client; return in.Apply(&c, true) }),
	decodeThen(func(in *omnivibe.ContentInput) error { var c omnivibe.Content; return in.Apply(&c, true) }),
	decodeThen(func(in *omnivibe.Registration) error { return in.Validate() }),
	decodeThen(func(in *omnivibe.NewMember) error { return in.Validate() }),
	decodeThen(func(in *omnivibe.NewAPIKey) error { return in.Validate() }),
	decodeThen(func(in *omnivibe.ScriptRequest) error { return in.Check() }),
	decodeThen(func(in *omnivibe.DurationRequest) error { return in.Validate() }),
	decodeThen(func(in *omnivibe.PlanChange) error { return in.Validate() }),
}

func decodeThen[T any](rule func(*T) error) func([]byte) (error, error) {
	return func(body []byte) (error, error) {
		r := httptest.NewRequest("POST", "/", bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		var in T
		if err := decodeJSON(r, &in, false); err != nil {
			return err, nil
		}
		return nil, rule(&in)
	}
}

// FuzzDecodeInputs sends arbitrary bodies through request decoding and the
// input types' rules: nothing may panic, a body that does not decode is
// refused as invalid_json (or payload_too_large), and a decoded body is
// either accepted or a validation_error naming fields, never anything else
// (which would surface as a 500).
//
//	go test -run '^$' -fuzz FuzzDecodeInputs -fuzztime 30s ./internal/httpapi
func FuzzDecodeInputs(f *testing.F) {
	for _, seed := range []string{
		`{"client_id":1,"name":"봄 캠페인 🌸","platform":"YouTube","concept_tone":"casual","target_duration":60,"start_date":"2026-03-01","end_date":"2026-02-01"}`,
		`{"name":"Acme","brand_color":"#FF8800","website_url":"javascript:alert(1)","contact_email":"a@b"}`,
		`{"topic":"t","platform":"tiktok","keywords":["a","b"],"publish_date":"2026-13-40","status":"audio_generated"}`,
		`{"email":"Kim@Example.COM","password":"Passw0rd!","name":"K","account_name":null}`,
		`{"name":"ci","expires_in_days":366}`,
		`{"topic":"AI","target_duration":1e400,"language":"klingon","regenerate":"yes"}`,
		`{"text":"안녕하세요, 테스트 오디오입니다.","language":"ko"}`,
		`{"plan":"platinum"}`,
		`{"name":"x"} {"name":"y"}`,
		`[1,2,3]`, `null`, `"str"`, `{"name":{"a":[1,{"b":null}]}}`, `{"name":"\u0000\ud800"}`,
		``, `{`,
	} {
		for i := range inputs {
			f.Add([]byte(seed), uint8(i))
		}
	}
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		decodeErr, ruleErr := inputs[int(which)%len(inputs)](body)
		if decodeErr != nil {
			if c := omnivibe.ErrorCode(decodeErr); c != omnivibe.CodeInvalidJSON && c != omnivibe.CodePayloadTooLarge {
				t.Fatalf("decoding %q failed with %v (code %q)", body, decodeErr, c)
			}
			if json.Valid(body) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{")) && omnivibe.ErrorCode(decodeErr) == omnivibe.CodeInvalidJSON {
				var e *omnivibe.Error
				if errors.As(decodeErr, &e) && len(e.Fields) == 0 {
					t.Fatalf("a JSON object %q refused without naming the field", body)
				}
			}
			return
		}
		if ruleErr == nil {
			return
		}
		var e *omnivibe.Error
		if !errors.As(ruleErr, &e) || e.Code != omnivibe.CodeValidation || len(e.Fields) == 0 {
			t.Fatalf("%q broke a rule with %v; want a validation_error naming fields", body, ruleErr)
		}
	})
}
