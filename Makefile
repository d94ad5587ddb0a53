# motcua — see README.md. Everything builds with -tags migrated_fynedo (Fyne's fyne.Do threading) and no_emoji (no 4 MB emoji font in memory).
GO        ?= go
TAGS      := migrated_fynedo,no_emoji
DATA      ?=
BIN       := bin
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X motcua/internal/version.Version=$(VERSION)
export PATH := /usr/local/go/bin:$(PATH)

.PHONY: all deps testdeps build run test lint bench screenshots windows package central clean

all: build

deps:
	@./scripts/install-deps.sh run

# What the tests need besides: poppler-utils (they read the printed PDFs back with pdftotext)
# and PostgreSQL (the city server's suite runs on SQLite and again on PostgreSQL).
testdeps:
	@./scripts/install-deps.sh test

build: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/motcua ./cmd/motcua
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/motcua-central ./cmd/motcua-central

# Build and start the desktop app. DATA=dir chooses the data folder (default: the OS's per-user folder).
run: build
	./$(BIN)/motcua $(if $(DATA),--data $(DATA))

central: build
	./$(BIN)/motcua-central serve --addr 127.0.0.1:8787 --data $(or $(DATA),central-data)

# scripts/testpg.sh runs the tests with a throwaway PostgreSQL cluster (MOTCUA_TEST_PG) for the
# PostgreSQL half of the city server's suite, and stops it afterwards even when tests fail;
# without PostgreSQL installed it says that half is skipped and runs the rest.
test: testdeps lint
	$(GO) build -tags $(TAGS) ./...
	./scripts/testpg.sh $(GO) test -race -tags $(TAGS) -timeout 20m ./...
	@# internal/earlylocale is a module of its own (its path must sort before fyne.io): ./... skips it.
	cd internal/earlylocale && $(GO) test -race ./...
	@# The race detector slows the pure-Go SQLite about tenfold, so under -race the two-workstation
	@# test runs at 300 dossiers each; here it runs at full size (5,000 each) without it.
	$(GO) test -tags $(TAGS) -count=1 -run '^TestTwoWorkstationsOfflineThenReconnect$$' ./sync/

lint:
	$(GO) vet -tags $(TAGS) ./...
	@out=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	 if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Render every main screen (with demo data), every printed form and the reports to PNG for the README.
screenshots: deps
	MOTCUA_SHOTS_DIR=$(CURDIR)/docs/screenshots $(GO) test -tags $(TAGS) -run '^TestScreens$$' -count=1 ./ui/
	MOTCUA_FORMS_PNG=$(CURDIR)/docs/screenshots $(GO) test -tags $(TAGS) -run '^TestScreenshots$$' -count=1 ./forms/

# The Go benchmarks behind motcua-bench (on a store of 20,000 dossiers made for the run),
# then bin/motcua-bench: every performance target of DESIGN.md on a store of 1,000,000
# dossiers kept in ~/.cache/motcua-bench (made on first use). BENCH=--quick measures on
# 100,000. Sync over a simulated 256 kbit/s line ("thin") runs at the week's size; the full
# first sync of a million-event unit is BENCH="--only thin --thin-unit 1000000" (about an
# hour). docs/BENCHMARKS.md explains each line. motcua-bench is its own command (it runs
# the city's server in-process), so the desktop binary carries neither it nor the server.
#
# Then a shortened city-scale run (docs/BENCHMARKS.md, "The city at scale"): for each of
# CITY_SIZES workstations, a fresh motcua-central on SQLite (CITY_DB=postgres://… for
# PostgreSQL), a morning of CITY_DURATION and a reconnect storm of 2,000 events each, by
# `motcua-central loadtest`; reports in citybench-out/. The doc's full figures:
# CITY_SIZES="50 500 2000" CITY_DURATION=60s.
BENCH ?=
CITY_SIZES ?= 50
CITY_DURATION ?= 20s
CITY_DB ?=
bench: deps
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/motcua-central ./cmd/motcua-central
	BIN=$(BIN)/motcua-central SIZES="$(CITY_SIZES)" DURATION=$(CITY_DURATION) DB="$(CITY_DB)" OUT=citybench-out ./scripts/citybench.sh
	$(GO) build -tags $(TAGS) -ldflags "$(LDFLAGS)" -o $(BIN)/motcua-bench ./cmd/motcua-bench
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Receive|Search|Queue' -benchtime 300x ./localdb/
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Seed' -benchtime 1x ./localdb/
	$(GO) test -tags $(TAGS) -run '^$$' -bench 'Push|WireBytes' -benchtime 1x ./sync/
	$(BIN)/motcua-bench $(BENCH)

# Cross-compile bin/motcua.exe (GUI, icon, version information) and bin/motcua-central.exe.
windows:
	@./scripts/install-deps.sh windows
	VERSION=$(VERSION) GO=$(GO) ./scripts/windows.sh build

# dist/motcua-$(VERSION)-linux-amd64.tar.gz, and the Windows .zip when MinGW is installed.
package: build
	VERSION=$(VERSION) GO=$(GO) ./scripts/windows.sh package

clean:
	rm -rf $(BIN)
