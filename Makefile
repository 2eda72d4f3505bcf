# Pitlane — the first two targets are the whole set-up on a fresh machine.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
DATA ?= ./pitlane-data
ADDR ?= 127.0.0.1:8080
BENCHFLAGS ?=
GO ?= go

.PHONY: run test bench build dist lint journeys clean

## run: build, seed the demo garage into $(DATA) and serve it on http://$(ADDR)
run: build
	./bin/pitlane demo --data $(DATA)
	./bin/pitlane serve --data $(DATA) --tls off --addr $(ADDR)

## test: vet, the whole suite with the race detector (journeys in headless Chromium included), the Windows build
test:
	$(GO) vet ./...
	$(GO) test -race -count=1 ./...
	GOOS=windows GOARCH=amd64 $(GO) build -o /dev/null ./cmd/pitlane

## bench: seed a dataset and print p50/p99/throughput per scenario (BENCHFLAGS="-customers 100000")
bench:
	$(GO) run ./cmd/pitlane-bench $(BENCHFLAGS)

## build: the binary for this machine in ./bin
build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o bin/pitlane ./cmd/pitlane

## dist: release binaries for Linux and Windows in ./dist
dist:
	GOOS=linux GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o dist/pitlane-linux-amd64 ./cmd/pitlane
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o dist/pitlane-windows-amd64.exe ./cmd/pitlane

## lint: formatting and vet
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...

clean:
	rm -rf bin dist
