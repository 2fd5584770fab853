# Casebook: the two entry points of the README, and what CI runs.
#
#   make run    run the server on 127.0.0.1:8080 with its data in ./data
#   make test   check go.mod is tidy, vet and test everything (the root
#               module, then sdktest/)

GO ?= go

.PHONY: test run build

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
