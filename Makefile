# The two commands of the README's quick start are `make run` and `make test`;
# everything else here is for people working on OmniVibe Pro.

GO ?= go

.PHONY: run test test-short build vet fmt bench security

run:
	$(GO) run ./cmd/omnivibe serve

# Installs what the tests need (speech engines, services), then runs every test
# with the race detector, then the security audit (gosec, fuzzing).
test:
	./scripts/test-deps.sh
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	OMNIVIBE_REQUIRE_SPEECH=1 $(GO) test -race -count=1 ./...
	./scripts/security.sh

test-short:
	$(GO) test -count=1 ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o bin/omnivibe ./cmd/omnivibe

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# gosec, go vet and every fuzz target for FUZZTIME (default 20s) each.
security:
	./scripts/security.sh
