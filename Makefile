# Casebook: the two entry points of the README, and what CI runs.
#
#   make run    run the server on 127.0.0.1:8080 with its data in ./data
#   make test   check go.mod is tidy, vet and test everything (the root
#               module, then sdktest/)
#   make fuzz   explore every fuzz target for FUZZTIME each (default 1m);
#               `make test` runs only their seed corpora

GO ?= go

.PHONY: test run build fuzz

# go mod tidy -diff prints what tidy would change and fails if anything
# would: go.mod and go.sum must list exactly what the code imports.
test:
	$(GO) mod tidy -diff && $(GO) vet ./... && $(GO) test ./... -count=1
	@if [ -f sdktest/go.mod ]; then \
		echo "cd sdktest && $(GO) mod tidy -diff && $(GO) vet ./... && $(GO) test ./... -count=1"; \
		cd sdktest && $(GO) mod tidy -diff && $(GO) vet ./... && $(GO) test ./... -count=1; \
	fi

run:
	$(GO) run ./cmd/casebook serve

build:
	$(GO) build -o casebook ./cmd/casebook

# package:target pairs; go test -fuzz takes one target of one package at a time.
# Minimizing each new input may otherwise take a minute of the minute.
FUZZTIME ?= 1m
FUZZMINIMIZETIME ?= 5s
FUZZ_TARGETS = \
	./auth:FuzzParseAuthorization \
	./auth:FuzzVerifyRequest \
	./auth:FuzzSignThenVerify \
	./auth:FuzzTokens \
	./auth:FuzzTemporaryKeys \
	./auth:FuzzLinks \
	./http:FuzzAPIRequest \
	./http:FuzzUploadAccessory

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "$(GO) test -run=^$$ -fuzz=^$$name\$$ -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZETIME) $$pkg"; \
		$(GO) test -run='^$$' -fuzz="^$$name\$$" -fuzztime=$(FUZZTIME) -fuzzminimizetime=$(FUZZMINIMIZETIME) $$pkg; \
	done
