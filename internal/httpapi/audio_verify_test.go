package httpapi

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/filestore"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/speech"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/verify"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// verifyHarness is the API with the real local engines: espeak-ng makes the
// uploads, pocketsphinx verifies them. scratch is the recognizer's
// temporary directory and audioDir the audio store, both checked to stay
// empty.
type verifyHarness struct {
	*harness
	tts               speech.Synthesizer
	scratch, audioDir string
}

func newVerifyHarness(t *testing.T) *verifyHarness {
	return newVerifyHarnessWith(t, nil, nil)
}

// newVerifyHarnessWith verifies with rec instead of pocketsphinx (when not
// nil), in the verification pool verifications (when not nil).
func newVerifyHarnessWith(t *testing.T, rec speech.Recognizer, verifications *service.Pool) *verifyHarness {
	t.Helper()
	found := speech.DetectLocalEngines(speech.Config{})
	if found.Espeak == "" || found.PocketSphinx == "" {
		msg := "espeak-ng and pocketsphinx with the en-us model are needed (apt-get install -y espeak-ng pocketsphinx pocketsphinx-en-us)"
		if os.Getenv("OMNIVIBE_REQUIRE_SPEECH") == "1" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "api.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem := cache.NewMemory(16 << 20)
	t.Cleanup(mem.Close)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w, err := writer.New(writer.Config{Provider: writer.ProviderLocal}, log, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{JWTSecret: testSecret, PasswordCost: 4},
		service.Deps{Store: store, Cache: mem, Writer: w, Logger: log, Verifications: verifications})
	if err != nil {
		t.Fatal(err)
	}
	audioDir, scratch := filepath.Join(t.TempDir(), "audio"), t.TempDir()
	files, err := filestore.Open(audioDir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	tts := speech.NewEspeak(speech.EspeakConfig{})
	if rec == nil {
		rec = verify.NewPocketSphinx(speech.PocketSphinxConfig{TempDir: scratch})
	}
	svc.UseAudio(nil, files, service.Speech{Synthesizer: tts, Recognizer: rec}, nil)
	api := New(svc, Config{}, log)
	return &verifyHarness{harness: &harness{t: t, api: api, svc: svc, store: store, schemas: loadSchemas(t, api)}, tts: tts, scratch: scratch, audioDir: audioDir}
}

// speak is the WAV file espeak-ng makes of text.
func (h *verifyHarness) speak(text string) []byte {
	h.t.Helper()
	a, err := h.tts.Synthesize(context.Background(), speech.Normalize(text, "en").Text, "en", "default")
	if err != nil {
		h.t.Fatal(err)
	}
	return a.Data
}

// part is one field of a multipart form; a file when filename is set.
type part struct {
	name, filename, contentType string
	data                        []byte
}

func multipartBody(t *testing.T, parts ...part) (string, []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		disp := `form-data; name="` + p.name + `"`
		if p.filename != "" {
			disp += `; filename="` + p.filename + `"`
		}
		h.Set("Content-Disposition", disp)
		if p.contentType != "" {
			h.Set("Content-Type", p.contentType)
		}
		w, err := mw.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(p.data)
	}
	mw.Close()
	return mw.FormDataContentType(), body.Bytes()
}

func (h *verifyHarness) verify(token string, parts ...part) response {
	h.t.Helper()
	ct, body := multipartBody(h.t, parts...)
	return h.do(req{method: "POST", path: "/api/v1/audio/verify", token: token, body: body, header: map[string]string{"Content-Type": ct}})
}

// assertNothingKept fails when a verification left a file behind, in the
// recognizer's scratch directory or the audio store.
func (h *verifyHarness) assertNothingKept(what string) {
	h.t.Helper()
	for _, dir := range []string{h.scratch, h.audioDir} {
		var left []string
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && path != dir {
				left = append(left, path)
			}
			return nil
		})
		if len(left) > 0 {
			h.t.Errorf("%s: left %v on disk", what, left)
		}
	}
}

const (
	verifyScript = "Welcome to our summer sale. Every pair of running shoes is 30% off this week only."
	otherScript  = "Cloud backups keep your family photos safe. Sign up now and get the first month free."
)

func wavFile(data []byte) part {
	return part{name: "file", filename: "voice.wav", contentType: "audio/wav", data: data}
}

func TestVerifyAudio(t *testing.T) {
	h := newVerifyHarness(t)
	owner := h.register("verify")
	right := h.speak(verifyScript)

	res := h.verify(owner.token, wavFile(right), part{name: "text", data: []byte(verifyScript)}, part{name: "language", data: []byte("en")})
	if res.status != 200 {
		t.Fatalf("matching audio: %d %s", res.status, res.body)
	}
	m := res.json(t)
	if m["verdict"] != "match" || m["verified"] != true || m["recognizer"] != "pocketsphinx" || m["similarity"].(float64) < 0.95 {
		t.Errorf("matching audio: %s", res.body)
	}
	if !strings.Contains(m["normalized_text"].(string), "thirty percent") || m["duration"].(float64) < 3 {
		t.Errorf("normalized_text %q, duration %v", m["normalized_text"], m["duration"])
	}
	for _, w := range m["words"].([]any) {
		if w := w.(map[string]any); w["status"] != "ok" || w["start"] == nil {
			t.Errorf("matching audio: word %v", w)
		}
	}
	h.assertNothingKept("matching audio")

	res = h.verify(owner.token, wavFile(h.speak(otherScript)), part{name: "text", data: []byte(verifyScript)})
	if m := res.json(t); res.status != 200 || m["verdict"] != "mismatch" {
		t.Errorf("another script's audio: %d %s", res.status, res.body)
	}

	res = h.verify(owner.token, wavFile(h.speak(strings.Replace(verifyScript, "summer", "winter", 1))), part{name: "text", data: []byte(verifyScript)})
	if res.status != 200 {
		t.Fatalf("one word changed: %d %s", res.status, res.body)
	}
	m = res.json(t)
	if m["verdict"] == "match" {
		t.Errorf("one word changed: verdict match: %s", res.body)
	}
	flagged := false
	for _, w := range m["words"].([]any) {
		w := w.(map[string]any)
		if w["word"] == "summer" {
			flagged = w["status"] == "substituted" || w["status"] == "missing"
		}
	}
	if !flagged {
		t.Errorf("one word changed: summer not flagged: %s", res.body)
	}

	// Korean has no local model: the answer is unverified, with a warning,
	// and costs nothing.
	res = h.verify(owner.token, wavFile(right), part{name: "text", data: []byte("안녕하세요")}, part{name: "language", data: []byte("ko")})
	if m := res.json(t); res.status != 200 || m["verified"] != false || m["warning"] == nil || m["similarity"] != nil || m["verdict"] != nil {
		t.Errorf("Korean: %d %s", res.status, res.body)
	}
	usage := h.do(req{method: "GET", path: "/api/v1/billing/usage", token: owner.token}).json(t)
	if used := usage["used"].(map[string]any)["audio"].(float64); used != 3 {
		t.Errorf("audio quota used %v, want 3 (three verifications; the unverified one is free)", used)
	}
	h.assertNothingKept("all verifications")
}

func TestVerifyAudioBadUploads(t *testing.T) {
	h := newVerifyHarness(t)
	owner := h.register("verifybad")
	good := h.speak("Hello there.")
	text := part{name: "text", data: []byte("Hello there.")}

	// A WAV file whose samples are A-law (format 6), which is not PCM.
	alaw := bytes.Clone(good)
	binary.LittleEndian.PutUint16(alaw[20:], 6)
	binary.LittleEndian.PutUint16(alaw[34:], 8)
	big := append(bytes.Clone(good), make([]byte, 26<<20)...)

	for _, tc := range []struct {
		name   string
		parts  []part
		status int
		field  string
	}{
		{"not audio", []part{wavFile([]byte("this is a text file, not a recording")), text}, 415, "file"},
		{"truncated WAV", []part{wavFile(good[:30]), text}, 422, "file"},
		{"0-length file", []part{wavFile(nil), text}, 422, "file"},
		{"A-law samples", []part{wavFile(alaw), text}, 422, "file"},
		{"26 MB file", []part{wavFile(big), text}, 413, ""},
		{"MP3 that is text", []part{{name: "file", filename: "voice.mp3", contentType: "audio/mpeg", data: []byte("Welcome to our summer sale, as text")}, text}, 415, "file"},
		{"ID3 tag and then text", []part{{name: "file", filename: "voice.mp3", contentType: "audio/mpeg", data: []byte("ID3\x04\x00\x00\x00\x00\x00\x00 and then only text")}, text}, 422, "file"},
		{"missing text", []part{wavFile(good)}, 422, "text"},
		{"missing file", []part{text}, 422, "file"},
		{"bad threshold", []part{wavFile(good), text, {name: "accuracy_threshold", data: []byte("high")}}, 422, "accuracy_threshold"},
		{"unknown language", []part{wavFile(good), text, {name: "language", data: []byte("xx")}}, 422, "language"},
	} {
		res := h.verify(owner.token, tc.parts...)
		if res.status != tc.status {
			t.Errorf("%s: got %d, want %d: %s", tc.name, res.status, tc.status, res.body)
			continue
		}
		if tc.field != "" {
			var named bool
			for _, e := range res.json(t)["errors"].([]any) {
				named = named || e.(map[string]any)["field"] == tc.field
			}
			if !named {
				t.Errorf("%s: the error does not name %s: %s", tc.name, tc.field, res.body)
			}
		}
		h.assertNothingKept(tc.name)
	}

	// A JSON body is not the form.
	res := h.do(req{method: "POST", path: "/api/v1/audio/verify", token: owner.token, body: map[string]string{"text": "Hello there."}})
	if res.status != 415 {
		t.Errorf("JSON body: got %d, want 415: %s", res.status, res.body)
	}
	usage := h.do(req{method: "GET", path: "/api/v1/billing/usage", token: owner.token}).json(t)
	if used := usage["used"].(map[string]any)["audio"].(float64); used != 0 {
		t.Errorf("audio quota used %v after refused uploads, want 0", used)
	}
	// The route's larger limit is its own: other routes keep 1 MiB.
	res = h.do(req{method: "POST", path: "/api/v1/clients", token: owner.token, body: `{"name":"` + strings.Repeat("x", 2<<20) + `"}`})
	if res.status != 413 {
		t.Errorf("2 MiB JSON body: got %d, want 413", res.status)
	}
}

// openAIProtocolServer answers POST /v1/audio/transcriptions as OpenAI does:
// verbose_json with word timestamps when asked for them, or, while failing
// is set, a 500 with OpenAI's error body.
type openAIProtocolServer struct {
	transcript string
	failing    bool
}

func (s *openAIProtocolServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	if r.Method != http.MethodPost || r.URL.Path != "/v1/audio/transcriptions" || r.ParseMultipartForm(32<<20) != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`)
		return
	}
	if s.failing {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"error":{"message":"The server had an error while processing your request.","type":"server_error"}}`)
		return
	}
	answer := map[string]any{"task": "transcribe", "language": "english", "text": s.transcript}
	if r.FormValue("response_format") == "verbose_json" && r.FormValue("timestamp_granularities[]") == "word" {
		var words []map[string]any
		for i, w := range strings.Fields(s.transcript) {
			words = append(words, map[string]any{"word": strings.Trim(w, ".,"), "start": 0.4 * float64(i), "end": 0.4*float64(i) + 0.3})
		}
		answer["words"] = words
	}
	json.NewEncoder(w).Encode(answer)
}

// TestVerifyAudioOpenAI verifies through OpenAI's transcription protocol:
// the words have the same shape as the local verifier's, and a provider
// failure is a 503 whose quota unit comes back.
func TestVerifyAudioOpenAI(t *testing.T) {
	srv := &openAIProtocolServer{transcript: "Welcome to our summer party. Every pair of running shoes is 30% off this week only."}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	h := newVerifyHarnessWith(t, speech.NewOpenAITranscriber(speech.OpenAIConfig{APIKey: "sk-test", BaseURL: ts.URL}, ts.Client()), nil)
	owner := h.register("verifyopenai")
	audio := h.speak("Hello.")

	res := h.verify(owner.token, wavFile(audio), part{name: "text", data: []byte(verifyScript)})
	if res.status != 200 {
		t.Fatalf("%d %s", res.status, res.body)
	}
	m := res.json(t)
	if m["recognizer"] != "openai" || m["verdict"] != "partial" {
		t.Errorf("one word of 17 heard differently: %s", res.body)
	}
	words := m["words"].([]any)
	if len(words) != 17 {
		t.Fatalf("%d words, want the script's 17: %s", len(words), res.body)
	}
	for i, w := range words {
		w := w.(map[string]any)
		want := "ok"
		if w["word"] == "sale" {
			want = "substituted"
			if w["heard"] != "party" {
				t.Errorf("sale heard as %v, want party", w["heard"])
			}
		}
		if w["status"] != want || w["start"] == nil || w["end"] == nil {
			t.Errorf("word %d: %v, want %s with its time", i, w, want)
		}
	}

	srv.failing = true
	res = h.verify(owner.token, wavFile(audio), part{name: "text", data: []byte(verifyScript)})
	if res.status != 503 {
		t.Errorf("provider failing: got %d, want 503: %s", res.status, res.body)
	}
	usage := h.do(req{method: "GET", path: "/api/v1/billing/usage", token: owner.token}).json(t)
	if used := usage["used"].(map[string]any)["audio"].(float64); used != 1 {
		t.Errorf("audio quota used %v, want 1: the failed verification's unit comes back", used)
	}
}

// heldTranscriptions is OpenAI's POST /v1/audio/transcriptions on the far
// side of the network boundary, each answer held until release is closed:
// it counts the verifications in flight, and the most at once.
type heldTranscriptions struct {
	release        chan struct{}
	inFlight, most atomic.Int32
}

func (s *heldTranscriptions) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/v1/audio/transcriptions" || r.ParseMultipartForm(32<<20) != nil {
		w.WriteHeader(http.StatusBadRequest)
		io.WriteString(w, `{"error":{"message":"bad request","type":"invalid_request_error"}}`)
		return
	}
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for m := s.most.Load(); n > m && !s.most.CompareAndSwap(m, n); m = s.most.Load() {
	}
	select {
	case <-s.release:
	case <-r.Context().Done():
		return
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"text":%q}`, verifyScript)
}

// TestVerifyPoolFullAnswersBusy runs uploads against a verification pool of
// 2 slots and 1 place in its queue, the recognizer holding every answer:
// 2 verify at once, 1 waits, and the next is refused at once with 503 busy
// and Retry-After, spending no quota unit; once the answers come, the
// three admitted get theirs, and never more than 2 verified at once.
func TestVerifyPoolFullAnswersBusy(t *testing.T) {
	far := &heldTranscriptions{release: make(chan struct{})}
	ts := httptest.NewServer(far)
	defer ts.Close()
	pool := service.NewVerifyPool(2, 1)
	h := newVerifyHarnessWith(t, speech.NewOpenAITranscriber(speech.OpenAIConfig{APIKey: "sk-test", BaseURL: ts.URL}, ts.Client()), pool)
	owner := h.register("verifybusy")
	ct, body := multipartBody(t, wavFile(h.speak("Hello.")), part{name: "text", data: []byte(verifyScript)})
	upload := req{method: "POST", path: "/api/v1/audio/verify", token: owner.token, body: body, header: map[string]string{"Content-Type": ct}}
	audioUsed := func() float64 {
		return h.do(req{method: "GET", path: "/api/v1/billing/usage", token: owner.token}).json(t)["used"].(map[string]any)["audio"].(float64)
	}

	admitted := make(chan response, 3)
	for range 3 {
		go func() { admitted <- h.do(upload) }()
	}
	waitFor(t, "2 verifying and 1 waiting", func() bool { return far.inFlight.Load() == 2 && pool.Waiting() == 1 })

	res := h.do(upload)
	m := res.json(t)
	if res.status != http.StatusServiceUnavailable || m["error_code"] != "busy" || m["action"] != "retry_later" || res.header.Get("Retry-After") != "5" {
		t.Fatalf("pool full: %d %s, Retry-After %q; want 503 busy, retry_later, Retry-After 5", res.status, res.body, res.header.Get("Retry-After"))
	}
	if used := audioUsed(); used != 3 {
		t.Fatalf("audio quota used %v with the pool full, want 3: the refused upload spends nothing", used)
	}
	// The document says so: the body's shape is checked by h.do, the
	// description and header here.
	doc := h.schemas.doc["paths"].(map[string]any)["/api/v1/audio/verify"].(map[string]any)["post"].(map[string]any)["responses"].(map[string]any)["503"].(map[string]any)
	if headers, _ := doc["headers"].(map[string]any); headers["Retry-After"] == nil || !strings.Contains(doc["description"].(string), "busy: the verification queue is full") {
		t.Errorf("the OpenAPI document's 503 of POST /audio/verify: %v", doc)
	}

	close(far.release)
	for range 3 {
		if res := <-admitted; res.status != 200 || res.json(t)["verdict"] != "match" {
			t.Errorf("admitted upload: %d %s", res.status, res.body)
		}
	}
	if most := far.most.Load(); most != 2 {
		t.Fatalf("%d verified at once, want the pool's 2", most)
	}
	// The pool is free again: the next upload is verified.
	if res := h.do(upload); res.status != 200 {
		t.Fatalf("after the pool emptied: %d %s", res.status, res.body)
	}
	if used := audioUsed(); used != 4 {
		t.Fatalf("audio quota used %v, want 4", used)
	}
}
