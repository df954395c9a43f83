package service_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/omnivibepro/omnivibe"
	"github.com/omnivibepro/omnivibe/internal/cache"
	"github.com/omnivibepro/omnivibe/internal/service"
	"github.com/omnivibepro/omnivibe/internal/sqlite"
	"github.com/omnivibepro/omnivibe/internal/writer"
)

// newService is the real service on a temporary SQLite file with the given writer config.
func newService(t *testing.T, wcfg writer.Config) (*service.Service, *sqlite.Store) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "svc.db"), sqlite.Options{CheckpointEvery: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	mem := cache.NewMemory(8 << 20)
	t.Cleanup(mem.Close)
	w, err := writer.New(wcfg, log, &http.Client{})
	if err != nil {
		t.Fatal(err)
	}
	svc, err := service.New(service.Config{JWTSecret: []byte("0123456789abcdef0123456789abcdef"), PasswordCost: 4, PasswordAlgorithm: service.PasswordBcrypt},
		service.Deps{Store: store, Cache: mem, Writer: w, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return svc, store
}

var seq int

// owner registers an account and returns its owner.
func owner(t *testing.T, svc *service.Service) service.Principal {
	t.Helper()
	seq++
	pair, err := svc.Register(context.Background(), omnivibe.Registration{Email: fmt.Sprintf("owner%d@example.com", seq), Password: "Passw0rd!", Name: "Owner"})
	if err != nil {
		t.Fatal(err)
	}
	return service.Principal{UserID: pair.User.ID, AccountID: pair.Account.ID, Role: omnivibe.RoleOwner}
}

func wantCode(t *testing.T, err error, code omnivibe.Code) {
	t.Helper()
	if got := omnivibe.ErrorCode(err); got != code {
		t.Fatalf("got %v (%q), want %q", err, got, code)
	}
}
