package filestore

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSaveOpenRemove(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(filepath.Join(dir, "audio"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	rel, err := s.Save(7, "aud_abc.wav", []byte("RIFF...."))
	if err != nil || rel != "7/aud_abc.wav" {
		t.Fatalf("save: %q, %v", rel, err)
	}
	f, err := s.Open(rel)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	entries, _ := os.ReadDir(filepath.Join(dir, "audio", "7"))
	if len(entries) != 1 {
		t.Fatalf("temporary files left behind: %v", entries)
	}
	if err := s.Remove(rel); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove(rel); err != nil {
		t.Fatalf("second remove: %v", err)
	}
}

func TestNoPathLeavesTheRoot(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "secret.txt")
	if err := os.WriteFile(secret, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(dir, "audio"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.Save(1, "a.wav", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A symlink planted inside the root does not lead out of it either.
	if err := os.Symlink(secret, filepath.Join(dir, "audio", "link.wav")); err != nil {
		t.Fatal(err)
	}
	for _, rel := range []string{"../secret.txt", "/etc/passwd", "1/../../secret.txt", "link.wav", "..", ""} {
		if f, err := s.Open(rel); err == nil {
			f.Close()
			t.Errorf("opened %q", rel)
		}
		_ = s.Remove(rel)
	}
	if _, err := os.Stat(secret); err != nil {
		t.Fatalf("secret file touched: %v", err)
	}
	for _, name := range []string{"../x.wav", "a/b.wav", "x.exe", ".wav", strings.Repeat("a", 65) + ".wav"} {
		if _, err := s.Save(1, name, []byte("x")); err == nil {
			t.Errorf("saved %q", name)
		}
	}
	if _, err := s.Save(0, "ok.wav", nil); err == nil {
		t.Error("saved for account 0")
	}
}
