# The two commands of the README's quick start are `make run` and `make test`;
# everything else here is for people working on OmniVibe Pro.

GO ?= go

.PHONY: run test test-short build vet fmt bench security lint-openapi cluster cluster-stop drill

# Builds stamp the commit (-buildvcs=auto, whatever GOFLAGS says), which
# /healthz reports and the load-test history records to tell builds apart;
# go run would not stamp it.
run:
	$(GO) build -buildvcs=auto -o bin/omnivibe ./cmd/omnivibe && exec ./bin/omnivibe serve

# Checks vet and gofmt, installs and starts what the tests need (speech
# engines, Chromium, PostgreSQL, Redis), then runs every test with the race detector on
# a fresh PostgreSQL database that test-deps.sh drops afterwards (the REQUIRE
# variables turn a missing engine or service into a failure, not a skip),
# then Redocly's lint of the served OpenAPI document and the security audit
# (gosec, fuzzing).
test:
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || (echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1)
	OMNIVIBE_REQUIRE_SPEECH=1 OMNIVIBE_REQUIRE_POSTGRES=1 OMNIVIBE_REQUIRE_REDIS=1 OMNIVIBE_REQUIRE_BROWSER=1 \
		./scripts/test-deps.sh $(GO) test -race -count=1 ./...
	GO=$(GO) ./scripts/lint-openapi.sh
	./scripts/security.sh

test-short:
	$(GO) test -count=1 ./...

build:
	CGO_ENABLED=0 $(GO) build -trimpath -buildvcs=auto -o bin/omnivibe ./cmd/omnivibe

vet:
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

# The PostgreSQL and Redis benchmarks run too, on a fresh test database.
bench:
	./scripts/test-deps.sh $(GO) test -run '^$$' -bench . -benchmem ./...

# Redocly CLI's lint of the document /openapi.json serves (redocly.yaml).
lint-openapi:
	GO=$(GO) ./scripts/lint-openapi.sh

# gosec, go vet and every fuzz target for FUZZTIME (default 20s) each.
security:
	./scripts/security.sh

# Scaled out on this machine: two replicas (8081, 8082) and two workers on the
# local PostgreSQL and Redis; scripts/cluster.sh has the other subcommands.
cluster:
	./scripts/cluster.sh start

cluster-stop:
	./scripts/cluster.sh stop

# Kills a replica and a worker under load and checks that nothing was lost.
drill:
	./scripts/failure-drill.sh
