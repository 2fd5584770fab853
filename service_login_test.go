package casebook_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func TestPasswordPolicy(t *testing.T) {
	p := casebook.DefaultPasswordPolicy()
	for _, tc := range []struct {
		password, user string
		ok             bool
	}{
		{"Acme-pass-1", "admin", true}, // the README's
		{"secret-1", "alice", true},    // 8 characters, 3 classes
		{"abcdefg1", "alice", true},    // 2 classes
		{"abcdef1", "alice", false},    // 7 characters
		{"abcdefgh", "alice", false},   // 1 class
		{"12345678", "alice", false},   // 1 class
		{"ÄÖÜßäöüé", "alice", true},    // upper and lower, not ASCII
		{"Alice-01", "alice-01", false},
		{"10-ecila", "alice-01", false}, // the name reversed
		{"10-ECILA", "alice-01", false},
		{"alice-01x", "alice-01", true},
		{"", "alice", false},
		{strings.Repeat("aA", 64), "alice", true},
		{strings.Repeat("aA", 64) + "x", "alice", false}, // 129 characters
	} {
		err := p.Check(tc.password, tc.user)
		if (err == nil) != tc.ok {
			t.Errorf("Check(%q, %q) = %v, want ok=%v", tc.password, tc.user, err, tc.ok)
		}
		if err != nil && casebook.ErrorCode(err) != casebook.EINVALID {
			t.Errorf("Check(%q) error kind %s", tc.password, casebook.ErrorCode(err))
		}
	}
	strict := casebook.PasswordPolicy{MinLength: 12, MinClasses: 4}
	if err := strict.Check("Acme-pass-1", "admin"); err == nil {
		t.Error("a 12-character, 4-class policy took an 11-character password")
	}
	if err := strict.Check("Acme-pass-12", "admin"); err != nil {
		t.Error(err)
	}
	for _, bad := range []casebook.PasswordPolicy{{0, 2}, {129, 2}, {8, 0}, {8, 5}} {
		if bad.Validate() == nil {
			t.Errorf("policy %+v validated", bad)
		}
	}
}

// TestPasswordPolicy_EveryPathThatSetsAPassword: account, user and
// engineer creation and password changes all enforce the configured
// policy, and nothing is created or changed by a refused password.
func TestPasswordPolicy_EveryPathThatSetsAPassword(t *testing.T) {
	s, _ := MustOpenService(t)
	ctx := context.Background()
	s.Config.PasswordPolicy = casebook.PasswordPolicy{MinLength: 10, MinClasses: 3}
	const good = "Good-pass-1"

	checkErrorKind(t, firstErr(s.CreateAccount(ctx, "acme", "admin", "short-1A")), casebook.EINVALID)
	checkErrorKind(t, firstErr(s.CreateAccount(ctx, "acme", "Admin-Pass-1", "1-ssaP-nimdA")), casebook.EINVALID)
	err := s.TestStore().Read(ctx, func(tx casebook.Tx) error { _, err := tx.FindAccountByName(ctx, "acme"); return err })
	checkErrorKind(t, err, casebook.ENOTFOUND)
	if _, _, err := s.CreateAccount(ctx, "acme", "admin", good); err != nil {
		t.Fatal(err)
	}
	_, err = s.CreateUser(ctx, "acme", "alice", "alllowercase-only")
	checkErrorKind(t, err, casebook.EINVALID)
	_, err = s.CreateUser(ctx, "acme", "Bob-The-Builder-1", "Bob-The-Builder-1")
	checkErrorKind(t, err, casebook.EINVALID)
	if _, err := s.CreateUser(ctx, "acme", "alice", good); err != nil {
		t.Fatal(err)
	}
	checkErrorKind(t, s.SetUserPassword(ctx, "acme", "alice", "weak"), casebook.EINVALID)
	if _, _, err := s.LoginCustomer(ctx, "acme", "alice", good); err != nil {
		t.Fatalf("a refused password change changed the password: %v", err)
	}
	_, err = s.CreateEngineer(ctx, "eve", "eve")
	checkErrorKind(t, err, casebook.EINVALID)
	if _, err := s.CreateEngineer(ctx, "eve", good); err != nil {
		t.Fatal(err)
	}
	checkErrorKind(t, s.SetEngineerPassword(ctx, "eve", "weak"), casebook.EINVALID)
	if _, _, err := s.LoginEngineer(ctx, "eve", good); err != nil {
		t.Fatalf("a refused engineer password change changed the password: %v", err)
	}

	// Tightening the policy locks no one out: logins do not check it.
	s.Config.PasswordPolicy = casebook.PasswordPolicy{MinLength: 64, MinClasses: 4}
	if _, _, err := s.LoginCustomer(ctx, "acme", "alice", good); err != nil {
		t.Fatalf("login after tightening the policy: %v", err)
	}
}

func firstErr[A, B any](_ A, _ B, err error) error { return err }

// TestLoginLimiter: failures past the allowance delay the next attempt,
// doubling; an attempt while waiting is refused even with the right
// password and without a lookup; the answer for a wrong password and for
// an unknown user is the same, throttled or not; a success clears the
// user's count.
func TestLoginLimiter(t *testing.T) {
	s, clock := MustOpenService(t)
	ctx := context.Background()
	s.Logins = &casebook.LoginLimiter{Failures: 3, AddressFailures: 10, MaxDelay: time.Minute}
	if _, _, err := s.CreateAccount(ctx, "acme", "admin", "Acme-pass-1"); err != nil {
		t.Fatal(err)
	}
	login := func(user, password string) error {
		_, _, err := s.LoginCustomer(ctx, "acme", user, password)
		return err
	}

	// Three free failures, each the same answer as an unknown user's.
	unknown := login("nobody", "Acme-pass-1")
	for i := 0; i < 3; i++ {
		err := login("admin", "wrong")
		if err == nil || err.Error() != unknown.Error() {
			t.Fatalf("failure %d: %v; an unknown user gets %v", i+1, err, unknown)
		}
	}
	// The fourth failure starts a 1 s delay: even the right password waits.
	login("admin", "wrong")
	err := login("admin", "Acme-pass-1")
	if casebook.ErrorReason(err) != casebook.ReasonLoginThrottled {
		t.Fatalf("right password while delayed: %v, want %s", err, casebook.ReasonLoginThrottled)
	}
	// Another name is not delayed (the address counts only 4 failures so far,
	// 6 with nobody's and this one).
	if err := login("nobody", "x"); casebook.ErrorCode(err) != casebook.EUNAUTHORIZED {
		t.Fatalf("another name: %v", err)
	}
	clock.Advance(time.Second)
	// The fifth failure doubles the delay: 1 s later is not enough.
	login("admin", "wrong")
	clock.Advance(time.Second)
	if err := login("admin", "Acme-pass-1"); casebook.ErrorReason(err) != casebook.ReasonLoginThrottled {
		t.Fatalf("1 s into a 2 s delay: %v", err)
	}
	clock.Advance(time.Second)
	if err := login("admin", "Acme-pass-1"); err != nil {
		t.Fatalf("after the delay: %v", err)
	}
	// The success cleared the count: three free failures again.
	for i := 0; i < 3; i++ {
		login("admin", "wrong")
	}
	if err := login("admin", "Acme-pass-1"); err != nil {
		t.Fatalf("success after three fresh failures: %v", err)
	}

	// An unknown name is delayed exactly like a known one.
	for i := 0; i < 4; i++ {
		login("ghost", "wrong")
	}
	throttledUnknown := login("ghost", "wrong")
	for i := 0; i < 4; i++ {
		login("admin", "wrong")
	}
	throttledKnown := login("admin", "wrong")
	if casebook.ErrorReason(throttledKnown) != casebook.ReasonLoginThrottled || throttledKnown.Error() != throttledUnknown.Error() {
		t.Fatalf("throttled known user: %v; unknown user: %v", throttledKnown, throttledUnknown)
	}

	// Delays are capped at MaxDelay, and forgotten after it.
	for i := 0; i < 20; i++ {
		clock.Advance(time.Minute)
		login("admin", "wrong")
	}
	err = login("admin", "Acme-pass-1")
	if !strings.Contains(casebook.ErrorMessage(err), "60 seconds") {
		t.Fatalf("capped delay: %v", err)
	}
	clock.Advance(time.Minute + time.Second)
	if err := login("admin", "Acme-pass-1"); err != nil {
		t.Fatalf("after MaxDelay: %v", err)
	}
}

// TestLoginLimiter_PerAddress: failures from one address across many
// names delay that address, not the others, and the engineers' logins are
// counted too.
func TestLoginLimiter_PerAddress(t *testing.T) {
	s, clock := MustOpenService(t)
	s.Logins = &casebook.LoginLimiter{Failures: 3, AddressFailures: 5, MaxDelay: time.Minute}
	ctx := context.Background()
	if _, _, err := s.CreateAccount(ctx, "acme", "admin", "Acme-pass-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEngineer(ctx, "eve", "Eve-pass-1"); err != nil {
		t.Fatal(err)
	}
	attacker := casebook.NewContextWithClientAddr(ctx, "192.0.2.1")
	customer := casebook.NewContextWithClientAddr(ctx, "198.51.100.7")
	for i := 0; i < 6; i++ { // one name each: the per-name count never trips
		s.LoginCustomer(attacker, "acme", "user"+string(rune('a'+i)), "guess")
	}
	if _, _, err := s.LoginCustomer(attacker, "acme", "admin", "Acme-pass-1"); casebook.ErrorReason(err) != casebook.ReasonLoginThrottled {
		t.Fatalf("the guessing address: %v, want throttled", err)
	}
	if _, _, err := s.LoginEngineer(attacker, "eve", "Eve-pass-1"); casebook.ErrorReason(err) != casebook.ReasonLoginThrottled {
		t.Fatalf("the guessing address on the engineers' login: %v, want throttled", err)
	}
	if _, _, err := s.LoginCustomer(customer, "acme", "admin", "Acme-pass-1"); err != nil {
		t.Fatalf("another address: %v", err)
	}
	clock.Advance(time.Second)
	if _, _, err := s.LoginCustomer(attacker, "acme", "admin", "Acme-pass-1"); err != nil {
		t.Fatalf("after the delay: %v", err)
	}

	for i := 0; i < 4; i++ {
		s.LoginEngineer(customer, "eve", "wrong")
	}
	if _, _, err := s.LoginEngineer(customer, "eve", "Eve-pass-1"); casebook.ErrorReason(err) != casebook.ReasonLoginThrottled {
		t.Fatalf("an engineer's name after 4 failures: %v, want throttled", err)
	}
}
