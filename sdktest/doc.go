// Package sdktest checks that the official Huawei Cloud Go SDK
// (github.com/huaweicloud/huaweicloud-sdk-go-v3, services/osm/v2) works
// against Casebook unmodified.
//
// It is a separate module so that the product's module does not depend on
// the SDK. The tests drive Casebook only as a user would: TestMain builds
// the casebook binary from the parent module, creates accounts, users,
// groups, engineers and access keys with its admin commands, starts
// `casebook serve` on a free local port, and every customer call then goes
// through the SDK's OsmClient. The engineer's side (taking a ticket,
// asking for an authorization, reading credentials) goes through the
// support API with plain net/http, since the SDK has no such operations.
//
// Run from this directory:
//
//	go test ./... -count=1
//
// CASEBOOK_SDKTEST_BIN names a prebuilt casebook binary to test instead of
// building one from the parent module.
package sdktest
