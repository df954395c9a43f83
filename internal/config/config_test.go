package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func load(t *testing.T, args []string, env map[string]string) (Config, error) {
	t.Helper()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(&bytes.Buffer{})
	return Load(fs, args, func(k string) string { return env[k] })
}

func TestDefaults(t *testing.T) {
	c, err := load(t, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.MaxBodyBytes != 1<<20 || c.PasswordCost != 10 ||
		c.ShutdownTimeout != 20*time.Second || c.DatabaseURL != "" || c.LogFormat != "auto" || c.RedisPrefix != "omnivibe:" {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestFlagOverridesEnvironment(t *testing.T) {
	env := map[string]string{"OMNIVIBE_ADDR": ":9000", "OMNIVIBE_DATA_DIR": "/env", "OMNIVIBE_CORS_ORIGINS": "https://a.test, https://b.test", "OMNIVIBE_TRUST_PROXY": "true"}
	c, err := load(t, []string{"--addr", ":9100"}, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9100" || c.DataDir != "/env" || len(c.CORSOrigins) != 2 || c.CORSOrigins[1] != "https://b.test" || !c.TrustProxy {
		t.Fatalf("got %+v", c)
	}
}

func TestValidationNamesTheField(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want string
	}{
		{[]string{"--database-url", "mysql://x"}, nil, "DATABASE_URL"},
		{[]string{"--redis-url", "http://x"}, nil, "REDIS_URL"},
		{[]string{"--jwt-secret", "short"}, nil, "OMNIVIBE_JWT_SECRET"},
		{[]string{"--password-cost", "3"}, nil, "OMNIVIBE_PASSWORD_COST"},
		{[]string{"--log-format", "xml"}, nil, "OMNIVIBE_LOG_FORMAT"},
		{nil, map[string]string{"OMNIVIBE_MAX_BODY_BYTES": "lots"}, "OMNIVIBE_MAX_BODY_BYTES"},
		{nil, map[string]string{"OMNIVIBE_SHUTDOWN_TIMEOUT": "20"}, "OMNIVIBE_SHUTDOWN_TIMEOUT"},
		{[]string{"stray"}, nil, "stray"},
		{[]string{"--tts", "espeak,polly"}, nil, "OMNIVIBE_TTS"},
		{[]string{"--tts", "espeak,,synthetic"}, nil, "OMNIVIBE_TTS"},
		{[]string{"--tts", "espeak,espeak"}, nil, "OMNIVIBE_TTS"},
		{[]string{"--tts", "espeak,elevenlabs"}, nil, "ELEVENLABS_API_KEY"},
		{[]string{"--stt", "pocketsphinx,none"}, nil, "OMNIVIBE_STT"},
		{[]string{"--stt", "pocketsphinx,openai"}, nil, "OPENAI_API_KEY"},
		{[]string{"--writer", "local,gemini"}, nil, "OMNIVIBE_WRITER"},
		{[]string{"--writer", "openai,anthropic"}, nil, "ANTHROPIC_API_KEY"},
	}
	for _, tc := range tests {
		_, err := load(t, tc.args, tc.env)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: got %v, want an error naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}

func TestSecretIsGeneratedOnceAndKept(t *testing.T) {
	dir := t.TempDir()
	c := Config{DataDir: dir}
	first, err := c.Secret()
	if err != nil || len(first) < 32 {
		t.Fatalf("secret %q, %v", first, err)
	}
	second, err := c.Secret()
	if err != nil || string(second) != string(first) {
		t.Fatalf("secret changed between starts: %q vs %q", first, second)
	}
	st, err := os.Stat(filepath.Join(dir, "jwt-secret"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("secret file mode %v, %v", st.Mode(), err)
	}
	configured := Config{DataDir: dir, JWTSecret: strings.Repeat("s", 40)}
	if got, _ := configured.Secret(); string(got) != strings.Repeat("s", 40) {
		t.Fatal("configured secret not used")
	}
}

// TestProviderChainsAccepted: a comma-separated chain of known providers,
// with their keys, is valid, spaces and case aside.
func TestProviderChainsAccepted(t *testing.T) {
	env := map[string]string{"OMNIVIBE_TTS": "ElevenLabs, openai,espeak", "OMNIVIBE_STT": "openai,pocketsphinx",
		"OMNIVIBE_WRITER": "anthropic,openai,local", "ELEVENLABS_API_KEY": "el", "OPENAI_API_KEY": "sk", "ANTHROPIC_API_KEY": "sk-ant"}
	c, err := load(t, nil, env)
	if err != nil {
		t.Fatal(err)
	}
	if c.WriterAPIKey() != "sk-ant" || c.WriterAPIKeyOf("openai") != "sk" || c.WriterAPIKeyOf("local") != "" {
		t.Fatalf("writer keys: first %q, openai %q", c.WriterAPIKey(), c.WriterAPIKeyOf("openai"))
	}
}
