# Casebook: the two entry points of the README, and what CI runs.
#
#   make run    run the server on 127.0.0.1:8080 with its data in ./data
#   make test   vet and test everything (the root module, then sdktest/)

GO ?= go

.PHONY: test run build

test:
	$(GO) vet ./... && $(GO) test ./... -count=1
	@if [ -f sdktest/go.mod ]; then \
		echo "cd sdktest && $(GO) vet ./... && $(GO) test ./... -count=1"; \
		cd sdktest && $(GO) vet ./... && $(GO) test ./... -count=1; \
	fi

run:
	$(GO) run ./cmd/casebook serve

build:
	$(GO) build -o casebook ./cmd/casebook
