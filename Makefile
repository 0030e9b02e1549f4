# Whipcount build. `make run` and `make test` work on a fresh clone.
GO      ?= go
ADDR    ?= localhost:8080
DB      ?= whipcount.db
VENDOR  := web/static/vendor

.PHONY: run test build web generate vet bench microbench fmt check-generated clean

run: build ## build, create ./whipcount.db with migrations, serve http://localhost:8080
	./bin/whipcount serve -addr $(ADDR) -db $(DB) -log-format text

test: web generate ## vet and race-enabled tests, browser tests included
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...

build: web generate
	$(GO) build -trimpath -o bin/whipcount ./cmd/whipcount

# Front-end packages come from npm with a lockfile; only what the app serves
# is copied into the embedded static folder (gitignored).
web/node_modules/.package-lock.json: web/package.json web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund

web: web/node_modules/.package-lock.json
	mkdir -p $(VENDOR)
	cp web/node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js

generate:
	$(GO) tool templ generate

vet:
	$(GO) vet ./...

# The load benchmark: the real server against a hello-world ceiling, each
# scenario driven by vegeta; prints the table for the README.
bench: build
	$(GO) run ./internal/loadbench -bin bin/whipcount

# Go micro-benchmarks (lookups, letter store, export).
microbench: web generate
	$(GO) test -run '^$$' -bench . -benchmem ./...

fmt:
	gofmt -w $$(git ls-files '*.go' | grep -v '_templ.go$$')

# CI: generated templ code and formatting must match what is committed.
check-generated: generate
	git diff --exit-code -- '*_templ.go'
	test -z "$$(gofmt -l $$(git ls-files '*.go' | grep -v '_templ.go$$'))"

clean:
	rm -rf bin $(VENDOR)
