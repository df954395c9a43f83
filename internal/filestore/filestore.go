// Package filestore keeps the audio files of voice-overs: one folder per
// account under a root directory (the data directory, or a directory every
// replica and worker shares). Every path is opened through an os.Root, so no
// name, whatever it holds, can reach outside the root.
package filestore

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strconv"
)

// Store is a root directory of audio files.
type Store struct {
	root *os.Root
	dir  string
}

// Open opens (creating it if needed) the directory dir.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &Store{root: r, dir: dir}, nil
}

// Close releases the root.
func (s *Store) Close() error { return s.root.Close() }

// Dir is the root directory.
func (s *Store) Dir() string { return s.dir }

// names are the only file names the store makes: a task ID and an extension.
var names = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}\.(wav|mp3)$`)

// Save writes data as the file of one task and returns its path relative to
// the root. The file is written under a temporary name, synced, then renamed
// into place, so no reader ever sees half a file, even across a crash.
func (s *Store) Save(accountID int64, name string, data []byte) (string, error) {
	if accountID <= 0 || !names.MatchString(name) {
		return "", fmt.Errorf("filestore: refusing file name %q for account %d", name, accountID)
	}
	dir := strconv.FormatInt(accountID, 10)
	if err := s.root.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	suffix := make([]byte, 8)
	if _, err := rand.Read(suffix); err != nil {
		return "", err
	}
	tmp := path.Join(dir, "."+name+"."+hex.EncodeToString(suffix)+".tmp")
	f, err := s.root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o640)
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	serr := f.Sync()
	cerr := f.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		_ = s.root.Remove(tmp)
		return "", err
	}
	final := path.Join(dir, name)
	if err := s.root.Rename(tmp, final); err != nil {
		_ = s.root.Remove(tmp)
		return "", err
	}
	return final, nil
}

// Open opens a file saved earlier, by the path Save returned.
func (s *Store) Open(rel string) (*os.File, error) {
	return s.root.Open(rel)
}

// Remove deletes a file; a file already gone is not an error.
func (s *Store) Remove(rel string) error {
	err := s.root.Remove(rel)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
