package casebook_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/casebook/casebook"
)

// checkErrorKind fails the test unless err is a domain error of kind code.
func checkErrorKind(tb testing.TB, err error, code string) {
	tb.Helper()
	if err == nil {
		tb.Fatalf("no error, want %q", code)
	} else if got := casebook.ErrorCode(err); got != code {
		tb.Fatalf("error code %q (%v), want %q", got, err, code)
	}
}

// tenancy is two accounts for isolation tests. Account "acme": master
// "boss", sub-users alice and bob in group "ops", carol in group "dev".
// Account "globex": master "mallory", who also has a group "ops".
type tenancy struct {
	s     *casebook.Service
	clock *testClock

	acme, globex              *casebook.Account
	boss, alice, bob, carol   *casebook.Principal
	mallory                   *casebook.Principal
	ops, dev, globexOps       *casebook.Group
	aliceID, bobID, malloryID string
	bossUser, aliceUser       *casebook.User
	carolUser, malloryUser    *casebook.User
	bobUser                   *casebook.User
	engineer                  *casebook.Principal
	engineerRecord            *casebook.Engineer
}

const tenancyPassword = "Passw0rd!"

func newTenancy(tb testing.TB) *tenancy {
	tb.Helper()
	ctx := context.Background()
	s, clock := MustOpenService(tb)
	tn := &tenancy{s: s, clock: clock}
	var err error
	if tn.acme, tn.bossUser, err = s.CreateAccount(ctx, "acme", "boss", tenancyPassword); err != nil {
		tb.Fatal(err)
	}
	if tn.globex, tn.malloryUser, err = s.CreateAccount(ctx, "globex", "mallory", tenancyPassword); err != nil {
		tb.Fatal(err)
	}
	for _, u := range []struct {
		name string
		dst  **casebook.User
	}{{"alice", &tn.aliceUser}, {"bob", &tn.bobUser}, {"carol", &tn.carolUser}} {
		if *u.dst, err = s.CreateUser(ctx, "acme", u.name, tenancyPassword); err != nil {
			tb.Fatal(err)
		}
	}
	if tn.ops, err = s.CreateGroup(ctx, "acme", "ops"); err != nil {
		tb.Fatal(err)
	}
	if tn.dev, err = s.CreateGroup(ctx, "acme", "dev"); err != nil {
		tb.Fatal(err)
	}
	if tn.globexOps, err = s.CreateGroup(ctx, "globex", "ops"); err != nil {
		tb.Fatal(err)
	}
	for _, m := range [][2]string{{"ops", "alice"}, {"ops", "bob"}, {"dev", "carol"}} {
		if err := s.AddGroupMember(ctx, "acme", m[0], m[1]); err != nil {
			tb.Fatal(err)
		}
	}
	tn.boss = tn.login(tb, "acme", "boss")
	tn.alice = tn.login(tb, "acme", "alice")
	tn.bob = tn.login(tb, "acme", "bob")
	tn.carol = tn.login(tb, "acme", "carol")
	tn.mallory = tn.login(tb, "globex", "mallory")
	tn.aliceID, tn.bobID, tn.malloryID = tn.aliceUser.ID, tn.bobUser.ID, tn.malloryUser.ID

	if tn.engineerRecord, err = s.CreateEngineer(ctx, "eve", tenancyPassword); err != nil {
		tb.Fatal(err)
	}
	if tn.engineer, _, err = s.LoginEngineer(ctx, "eve", tenancyPassword); err != nil {
		tb.Fatal(err)
	}
	return tn
}

func (tn *tenancy) login(tb testing.TB, account, user string) *casebook.Principal {
	tb.Helper()
	p, _, err := tn.s.LoginCustomer(context.Background(), account, user, tenancyPassword)
	if err != nil {
		tb.Fatalf("login %s/%s: %v", account, user, err)
	}
	return p
}

func TestIdentity_CreateAccount(t *testing.T) {
	ctx := context.Background()
	s, _ := MustOpenService(t)

	account, master, err := s.CreateAccount(ctx, "acme", "boss", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if len(account.ID) != 32 || account.Name != "acme" {
		t.Fatalf("account %+v", account)
	}
	if !master.IsMaster || !master.Enabled || master.AccountID != account.ID || master.Name != "boss" {
		t.Fatalf("master %+v", master)
	}
	if strings.Contains(master.PasswordHash, "secret-1") || !casebook.VerifyPassword(master.PasswordHash, "secret-1") {
		t.Fatal("master password not hashed")
	}

	p, epoch, err := s.LoginCustomer(ctx, "acme", "boss", "secret-1")
	if err != nil {
		t.Fatal(err)
	}
	if p.Realm != casebook.RealmCustomer || p.AccountID != account.ID || p.AccountName != "acme" ||
		p.UserID != master.ID || p.UserName != "boss" || !p.IsMaster || epoch != master.Epoch {
		t.Fatalf("principal %+v, epoch %d", p, epoch)
	}

	t.Run("ErrNameTaken", func(t *testing.T) {
		_, _, err := s.CreateAccount(ctx, "acme", "other", "secret-1")
		checkErrorKind(t, err, casebook.ECONFLICT)
	})
	t.Run("ErrReservedName", func(t *testing.T) {
		for _, name := range []string{"admin", "Root", "SUPPORT", "..", "."} {
			_, _, err := s.CreateAccount(ctx, name, "boss", "secret-1")
			checkErrorKind(t, err, casebook.EINVALID)
		}
	})
	t.Run("ErrBadNames", func(t *testing.T) {
		for _, name := range []string{"", strings.Repeat("a", 65), "a b", "ä", "a/b", "a$b", "a\x00"} {
			_, _, err := s.CreateAccount(ctx, name, "boss", "secret-1")
			checkErrorKind(t, err, casebook.EINVALID)
			_, _, err = s.CreateAccount(ctx, "fine"+strings.Repeat("x", 3), name, "secret-1")
			checkErrorKind(t, err, casebook.EINVALID)
		}
		// The longest and the most varied valid names.
		if _, _, err := s.CreateAccount(ctx, strings.Repeat("a", 64), "Boss_1.x-y", "secret-1"); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		_, _, err := s.CreateAccount(ctx, "nopass", "boss", "")
		checkErrorKind(t, err, casebook.EINVALID)
		_, _, err = s.CreateAccount(ctx, "longpass", "boss", strings.Repeat("p", 129))
		checkErrorKind(t, err, casebook.EINVALID)
		// Nothing was created by the refused attempts.
		_, _, err = s.LoginCustomer(ctx, "nopass", "boss", "x")
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		if _, _, err := s.CreateAccount(ctx, "nopass", "boss", "now-ok-1"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestIdentity_CreateUser(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	if tn.aliceUser.IsMaster || !tn.aliceUser.Enabled || tn.aliceUser.AccountID != tn.acme.ID {
		t.Fatalf("alice %+v", tn.aliceUser)
	}
	_, err := s.CreateUser(ctx, "acme", "alice", "other-pw-1")
	checkErrorKind(t, err, casebook.ECONFLICT)
	_, err = s.CreateUser(ctx, "acme", "boss", "other-pw-1")
	checkErrorKind(t, err, casebook.ECONFLICT)
	_, err = s.CreateUser(ctx, "nosuch", "zed", "other-pw-1")
	checkErrorKind(t, err, casebook.ENOTFOUND)
	_, err = s.CreateUser(ctx, "acme", "bad name", "other-pw-1")
	checkErrorKind(t, err, casebook.EINVALID)

	// The same user name in another account is another user.
	u, err := s.CreateUser(ctx, "globex", "alice", "globex-alice")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == tn.aliceID || u.AccountID != tn.globex.ID {
		t.Fatalf("globex alice %+v", u)
	}
	p, _, err := s.LoginCustomer(ctx, "globex", "alice", "globex-alice")
	if err != nil {
		t.Fatal(err)
	}
	if p.UserID != u.ID {
		t.Fatal("logged in as the wrong alice")
	}
	_, _, err = s.LoginCustomer(ctx, "acme", "alice", "globex-alice")
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
}

// Every login failure gives the same answer, so it reveals nothing about
// which account or user names exist or are disabled.
func TestIdentity_LoginFailuresLookAlike(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s
	if err := s.SetUserEnabled(ctx, "acme", "carol", false); err != nil {
		t.Fatal(err)
	}

	var messages []string
	for _, c := range []struct{ name, domain, user, password string }{
		{"UnknownDomain", "nosuch", "alice", tenancyPassword},
		{"UnknownUser", "acme", "nobody", tenancyPassword},
		{"UserOfOtherAccount", "globex", "alice", tenancyPassword},
		{"WrongPassword", "acme", "alice", "wrong"},
		{"EmptyPassword", "acme", "alice", ""},
		{"TooLongPassword", "acme", "alice", strings.Repeat("x", 500)},
		{"Disabled", "acme", "carol", tenancyPassword},
	} {
		p, epoch, err := s.LoginCustomer(ctx, c.domain, c.user, c.password)
		if p != nil || epoch != 0 {
			t.Errorf("%s: principal %+v epoch %d on failure", c.name, p, epoch)
		}
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		messages = append(messages, err.Error())
	}

	if err := s.SetEngineerEnabled(ctx, "eve", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateEngineer(ctx, "frank", tenancyPassword); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, user, password string }{
		{"UnknownEngineer", "nobody", tenancyPassword},
		{"CustomerAsEngineer", "alice", tenancyPassword},
		{"WrongEngineerPassword", "frank", "wrong"},
		{"DisabledEngineer", "eve", tenancyPassword},
	} {
		p, _, err := s.LoginEngineer(ctx, c.user, c.password)
		if p != nil {
			t.Errorf("%s: principal on failure", c.name)
		}
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		messages = append(messages, err.Error())
	}
	for _, m := range messages[1:] {
		if m != messages[0] {
			t.Fatalf("login failures differ: %q vs %q", messages[0], m)
		}
	}
	if _, _, err := s.LoginEngineer(ctx, "frank", tenancyPassword); err != nil {
		t.Fatal(err)
	}
}

func TestIdentity_EpochBump(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	_, epoch0, err := s.LoginCustomer(ctx, "acme", "alice", tenancyPassword)
	if err != nil {
		t.Fatal(err)
	}
	_, e, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.aliceID)
	if err != nil || e != epoch0 {
		t.Fatalf("resolve: epoch %d err %v, want %d", e, err, epoch0)
	}

	// A password change kills older tokens: the epoch moves on.
	if err := s.SetUserPassword(ctx, "acme", "alice", "new-secret"); err != nil {
		t.Fatal(err)
	}
	_, epoch1, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.aliceID)
	if err != nil {
		t.Fatal(err)
	} else if epoch1 <= epoch0 {
		t.Fatalf("epoch %d after password change, was %d", epoch1, epoch0)
	}
	_, _, err = s.LoginCustomer(ctx, "acme", "alice", tenancyPassword)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	if _, e, err := s.LoginCustomer(ctx, "acme", "alice", "new-secret"); err != nil || e != epoch1 {
		t.Fatalf("login with new password: epoch %d err %v", e, err)
	}
	checkErrorKind(t, s.SetUserPassword(ctx, "acme", "alice", ""), casebook.EINVALID)
	checkErrorKind(t, s.SetUserPassword(ctx, "acme", "nobody", "nobody-pw-1"), casebook.ENOTFOUND)

	// Disabling: resolving fails outright; enabling again bumps once more.
	if err := s.SetUserEnabled(ctx, "acme", "alice", false); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.aliceID)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	if err := s.SetUserEnabled(ctx, "acme", "alice", true); err != nil {
		t.Fatal(err)
	}
	_, epoch2, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.aliceID)
	if err != nil {
		t.Fatal(err)
	} else if epoch2 <= epoch1+1 {
		t.Fatalf("epoch %d after disable and enable, was %d", epoch2, epoch1)
	}

	// Other users are untouched.
	if _, e, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.bobID); err != nil || e != epoch0 {
		t.Fatalf("bob: epoch %d err %v", e, err)
	}

	// Engineers likewise.
	_, engEpoch0, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, tn.engineerRecord.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetEngineerEnabled(ctx, "eve", false); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ResolvePrincipal(ctx, casebook.RealmEngineer, tn.engineerRecord.ID)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	if err := s.SetEngineerEnabled(ctx, "eve", true); err != nil {
		t.Fatal(err)
	}
	p, engEpoch1, err := s.ResolvePrincipal(ctx, casebook.RealmEngineer, tn.engineerRecord.ID)
	if err != nil {
		t.Fatal(err)
	} else if engEpoch1 <= engEpoch0 || p.Realm != casebook.RealmEngineer || p.UserName != "eve" || p.AccountID != "" {
		t.Fatalf("engineer %+v epoch %d, was %d", p, engEpoch1, engEpoch0)
	}
	checkErrorKind(t, s.SetEngineerEnabled(ctx, "nobody", true), casebook.ENOTFOUND)
}

func TestIdentity_ResolvePrincipal(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.aliceID)
	if err != nil {
		t.Fatal(err)
	}
	if p.UserName != "alice" || p.AccountName != "acme" || p.IsMaster || !p.InGroup(tn.ops.ID) || p.InGroup(tn.dev.ID) {
		t.Fatalf("alice %+v", p)
	}

	// Ids of one realm are nothing in the other, and unknown ids are gone.
	for _, c := range []struct {
		realm casebook.Realm
		id    string
	}{
		{casebook.RealmEngineer, tn.aliceID},
		{casebook.RealmCustomer, tn.engineerRecord.ID},
		{casebook.RealmCustomer, casebook.NewHexID()},
		{casebook.RealmCustomer, ""},
		{casebook.Realm("admin"), tn.aliceID},
	} {
		_, _, err := s.ResolvePrincipal(ctx, c.realm, c.id)
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	}
}

func TestIdentity_DeleteUser(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	checkErrorKind(t, s.DeleteUser(ctx, "acme", "boss"), casebook.ECONFLICT)
	if _, _, err := s.LoginCustomer(ctx, "acme", "boss", tenancyPassword); err != nil {
		t.Fatal("master user gone after a refused delete")
	}
	// Another account's user is not found by this account's name.
	checkErrorKind(t, s.DeleteUser(ctx, "acme", "mallory"), casebook.ENOTFOUND)
	checkErrorKind(t, s.DeleteUser(ctx, "nosuch", "alice"), casebook.ENOTFOUND)

	ak, _, err := s.CreateAccessKey(ctx, tn.bobID, "")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteUser(ctx, "acme", "bob"); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.ResolvePrincipal(ctx, casebook.RealmCustomer, tn.bobID)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	_, _, err = s.LoginCustomer(ctx, "acme", "bob", tenancyPassword)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	_, _, err = s.AccessKeySecret(ctx, ak.ID)
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
	checkErrorKind(t, s.DeleteUser(ctx, "acme", "bob"), casebook.ENOTFOUND)

	// The name is free again, for a new user with a new id.
	u, err := s.CreateUser(ctx, "acme", "bob", "again-pw-1")
	if err != nil {
		t.Fatal(err)
	}
	if u.ID == tn.bobID {
		t.Fatal("re-created user got the old id")
	}
	p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, u.ID)
	if err != nil {
		t.Fatal(err)
	} else if len(p.Groups) != 0 {
		t.Fatalf("new bob inherited groups %v", p.Groups)
	}
}

func TestIdentity_Groups(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	_, err := s.CreateGroup(ctx, "acme", "ops")
	checkErrorKind(t, err, casebook.ECONFLICT)
	_, err = s.CreateGroup(ctx, "acme", "bad name")
	checkErrorKind(t, err, casebook.EINVALID)
	_, err = s.CreateGroup(ctx, "nosuch", "ops2")
	checkErrorKind(t, err, casebook.ENOTFOUND)
	if tn.globexOps.ID == tn.ops.ID || tn.globexOps.AccountID != tn.globex.ID {
		t.Fatal("groups of the same name in two accounts must differ")
	}

	groupsOf := func(userID string) []string {
		t.Helper()
		p, _, err := s.ResolvePrincipal(ctx, casebook.RealmCustomer, userID)
		if err != nil {
			t.Fatal(err)
		}
		return p.Groups
	}

	// By id as well as by name; adding twice changes nothing.
	if err := s.AddGroupMember(ctx, "acme", tn.dev.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if err := s.AddGroupMember(ctx, "acme", "dev", "alice"); err != nil {
		t.Fatal(err)
	}
	if g := groupsOf(tn.aliceID); len(g) != 2 {
		t.Fatalf("alice in %v, want ops and dev", g)
	}
	if err := s.RemoveGroupMember(ctx, "acme", tn.ops.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if g := groupsOf(tn.aliceID); len(g) != 1 || g[0] != tn.dev.ID {
		t.Fatalf("alice in %v, want only dev", g)
	}

	// Isolation: another account's group id, and users of another account,
	// are not found by name or id.
	checkErrorKind(t, s.AddGroupMember(ctx, "acme", tn.globexOps.ID, "alice"), casebook.ENOTFOUND)
	checkErrorKind(t, s.AddGroupMember(ctx, "globex", tn.ops.ID, "mallory"), casebook.ENOTFOUND)
	checkErrorKind(t, s.AddGroupMember(ctx, "globex", "ops", "alice"), casebook.ENOTFOUND)
	checkErrorKind(t, s.AddGroupMember(ctx, "acme", "ops", "mallory"), casebook.ENOTFOUND)
	checkErrorKind(t, s.RemoveGroupMember(ctx, "globex", tn.ops.ID, "mallory"), casebook.ENOTFOUND)
	checkErrorKind(t, s.AddGroupMember(ctx, "acme", "nosuch", "alice"), casebook.ENOTFOUND)
	if g := groupsOf(tn.malloryID); len(g) != 0 {
		t.Fatalf("mallory in %v", g)
	}
	if g := groupsOf(tn.bobID); len(g) != 1 || g[0] != tn.ops.ID {
		t.Fatalf("bob in %v, want only ops", g)
	}
}

func TestIdentity_Engineers(t *testing.T) {
	ctx := context.Background()
	s, _ := MustOpenService(t)

	e, err := s.CreateEngineer(ctx, "eve", "secret-e")
	if err != nil {
		t.Fatal(err)
	}
	if !e.Enabled || len(e.ID) != 32 || strings.Contains(e.PasswordHash, "secret-e") {
		t.Fatalf("engineer %+v", e)
	}
	_, err = s.CreateEngineer(ctx, "eve", "other-pw-1")
	checkErrorKind(t, err, casebook.ECONFLICT)
	_, err = s.CreateEngineer(ctx, "", "other-pw-1")
	checkErrorKind(t, err, casebook.EINVALID)
	_, err = s.CreateEngineer(ctx, "frank", "")
	checkErrorKind(t, err, casebook.EINVALID)

	p, epoch, err := s.LoginEngineer(ctx, "eve", "secret-e")
	if err != nil {
		t.Fatal(err)
	}
	if p.Realm != casebook.RealmEngineer || p.UserID != e.ID || p.AccountID != "" || epoch != e.Epoch {
		t.Fatalf("engineer principal %+v epoch %d", p, epoch)
	}
	// An engineer is not a customer of any account.
	_, _, err = s.LoginCustomer(ctx, "eve", "eve", "secret-e")
	checkErrorKind(t, err, casebook.EUNAUTHORIZED)
}

func TestIdentity_AccessKeys(t *testing.T) {
	ctx := context.Background()
	tn := newTenancy(t)
	s := tn.s

	key, sk, err := s.CreateAccessKey(ctx, tn.aliceID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(key.ID) != 20 || strings.ToUpper(key.ID) != key.ID || len(sk) != 40 {
		t.Fatalf("AK %q (%d), SK of %d characters", key.ID, len(key.ID), len(sk))
	}
	if key.UserID != tn.aliceID || key.AccountID != tn.acme.ID || !key.Enabled || key.SecretCiphertext != nil {
		t.Fatalf("key %+v", key)
	}

	t.Run("Description", func(t *testing.T) {
		long := strings.Repeat("é", casebook.MaxAccessKeyDescription+1)
		_, _, err := s.CreateAccessKey(ctx, tn.aliceID, long)
		checkErrorKind(t, err, casebook.EINVALID)
		_, err = s.UpdateAccessKey(ctx, tn.aliceID, key.ID, casebook.AccessKeyUpdate{Description: &long})
		checkErrorKind(t, err, casebook.EINVALID)

		desc := long[:len(long)-len("é")] // exactly the limit
		got, err := s.UpdateAccessKey(ctx, tn.aliceID, key.ID, casebook.AccessKeyUpdate{Description: &desc})
		if err != nil {
			t.Fatal(err)
		}
		if got.Description != desc || !got.Enabled || got.SecretCiphertext != nil {
			t.Fatalf("updated key %+v", got)
		}
		keys, err := s.ListAccessKeys(ctx, tn.aliceID)
		if err != nil {
			t.Fatal(err)
		}
		if len(keys) != 1 || keys[0].Description != desc {
			t.Fatalf("listed keys %+v, want one with the new description", keys)
		}
		// Enabling alone leaves the description as it is.
		if err := s.SetAccessKeyEnabled(ctx, tn.aliceID, key.ID, true); err != nil {
			t.Fatal(err)
		}
		if keys, err = s.ListAccessKeys(ctx, tn.aliceID); err != nil || keys[0].Description != desc {
			t.Fatalf("after enabling: %+v, %v; want the description kept", keys, err)
		}
		empty := ""
		if got, err = s.UpdateAccessKey(ctx, tn.aliceID, key.ID, casebook.AccessKeyUpdate{Description: &empty}); err != nil || got.Description != "" {
			t.Fatalf("clearing the description: %+v, %v", got, err)
		}
	})

	t.Run("SecretRoundTrip", func(t *testing.T) {
		got, secret, err := s.AccessKeySecret(ctx, key.ID)
		if err != nil {
			t.Fatal(err)
		}
		if string(secret) != sk || got.ID != key.ID || got.UserID != tn.aliceID {
			t.Fatalf("secret round trip: key %+v, secret matches: %v", got, string(secret) == sk)
		}
	})

	t.Run("NeverStoredInPlaintext", func(t *testing.T) {
		var stored *casebook.AccessKey
		err := s.TestStore().Read(ctx, func(tx casebook.Tx) error {
			var err error
			stored, err = tx.FindAccessKey(ctx, key.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(stored.SecretCiphertext) == 0 {
			t.Fatal("no sealed secret stored")
		}
		if bytes.Contains(stored.SecretCiphertext, []byte(sk)) || bytes.Contains(stored.SecretCiphertext, []byte(sk[:8])) {
			t.Fatal("the SK occurs in the stored bytes")
		}
		// Sealed for this AK only: it does not open for another.
		if _, err := s.Sealer.Open(stored.SecretCiphertext, []byte("AAAAAAAAAAAAAAAAAAAA")); err == nil {
			t.Fatal("sealed secret opens with another AK as associated data")
		}
		if plain, err := s.Sealer.Open(stored.SecretCiphertext, []byte(key.ID)); err != nil || string(plain) != sk {
			t.Fatalf("sealed secret does not open with its AK: %v", err)
		}
	})

	t.Run("SecretsDiffer", func(t *testing.T) {
		key2, sk2, err := s.CreateAccessKey(ctx, tn.aliceID, "")
		if err != nil {
			t.Fatal(err)
		}
		if key2.ID == key.ID || sk2 == sk {
			t.Fatal("two keys share an AK or SK")
		}
		// IAM's limit: two keys per user.
		_, _, err = s.CreateAccessKey(ctx, tn.aliceID, "")
		checkErrorKind(t, err, casebook.ELIMIT)
		keys, err := s.ListAccessKeys(ctx, tn.aliceID)
		if err != nil {
			t.Fatal(err)
		} else if len(keys) != 2 {
			t.Fatalf("%d keys listed, want 2", len(keys))
		}
		for _, k := range keys {
			if k.SecretCiphertext != nil {
				t.Fatal("listed key carries its sealed secret")
			}
		}
		// Deleting one makes room again.
		if err := s.DeleteAccessKey(ctx, tn.aliceID, key2.ID); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.AccessKeySecret(ctx, key2.ID)
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		checkErrorKind(t, s.DeleteAccessKey(ctx, tn.aliceID, key2.ID), casebook.ENOTFOUND)
		key3, _, err := s.CreateAccessKey(ctx, tn.aliceID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAccessKey(ctx, tn.aliceID, key3.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("Disable", func(t *testing.T) {
		if err := s.SetAccessKeyEnabled(ctx, tn.aliceID, key.ID, false); err != nil {
			t.Fatal(err)
		}
		_, secret, err := s.AccessKeySecret(ctx, key.ID)
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		if secret != nil {
			t.Fatal("secret returned for a disabled key")
		}
		if err := s.SetAccessKeyEnabled(ctx, tn.aliceID, key.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AccessKeySecret(ctx, key.ID); err != nil {
			t.Fatal(err)
		}

		// A disabled user's keys stop working too.
		if err := s.SetUserEnabled(ctx, "acme", "alice", false); err != nil {
			t.Fatal(err)
		}
		_, _, err = s.AccessKeySecret(ctx, key.ID)
		checkErrorKind(t, err, casebook.EUNAUTHORIZED)
		if err := s.SetUserEnabled(ctx, "acme", "alice", true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.AccessKeySecret(ctx, key.ID); err != nil {
			t.Fatal(err)
		}
	})

	t.Run("UnknownKeysLookAlike", func(t *testing.T) {
		if err := s.SetAccessKeyEnabled(ctx, tn.aliceID, key.ID, false); err != nil {
			t.Fatal(err)
		}
		defer s.SetAccessKeyEnabled(ctx, tn.aliceID, key.ID, true)
		_, _, errDisabled := s.AccessKeySecret(ctx, key.ID)
		_, _, errUnknown := s.AccessKeySecret(ctx, casebook.NewAccessKeyID())
		_, _, errEmpty := s.AccessKeySecret(ctx, "")
		checkErrorKind(t, errUnknown, casebook.EUNAUTHORIZED)
		checkErrorKind(t, errEmpty, casebook.EUNAUTHORIZED)
		if errDisabled.Error() != errUnknown.Error() || errEmpty.Error() != errUnknown.Error() {
			t.Fatalf("disabled %q vs unknown %q", errDisabled, errUnknown)
		}
	})

	t.Run("Isolation", func(t *testing.T) {
		// Someone else's AK, in the same account or another, is not found
		// for this user, and stays untouched.
		malloryKey, _, err := s.CreateAccessKey(ctx, tn.malloryID, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ userID, ak string }{
			{tn.bobID, key.ID},          // same account, other user
			{tn.boss.UserID, key.ID},    // even the master user's id
			{tn.malloryID, key.ID},      // other account
			{tn.aliceID, malloryKey.ID}, // alice and another account's key
			{tn.aliceID, "NOSUCHKEY0000000000"},
		} {
			checkErrorKind(t, s.SetAccessKeyEnabled(ctx, c.userID, c.ak, false), casebook.ENOTFOUND)
			checkErrorKind(t, s.DeleteAccessKey(ctx, c.userID, c.ak), casebook.ENOTFOUND)
		}
		for _, ak := range []string{key.ID, malloryKey.ID} {
			if _, _, err := s.AccessKeySecret(ctx, ak); err != nil {
				t.Fatalf("key %s damaged by another user's calls: %v", ak, err)
			}
		}
		keys, err := s.ListAccessKeys(ctx, tn.bobID)
		if err != nil {
			t.Fatal(err)
		} else if len(keys) != 0 {
			t.Fatalf("bob lists %d keys", len(keys))
		}
		_, err = s.ListAccessKeys(ctx, casebook.NewHexID())
		checkErrorKind(t, err, casebook.ENOTFOUND)
		_, _, err = s.CreateAccessKey(ctx, casebook.NewHexID(), "")
		checkErrorKind(t, err, casebook.ENOTFOUND)
	})
}

// BenchmarkLoginCustomer compares the cost of a successful login with the
// failures, at the default password cost: an unknown name should take as
// long as a wrong password (go test -bench LoginCustomer).
func BenchmarkLoginCustomer(b *testing.B) {
	ctx := context.Background()
	s, _ := MustOpenService(b)
	s.Config.PasswordIterations = casebook.DefaultConfig().PasswordIterations
	if _, _, err := s.CreateAccount(ctx, "acme", "boss", tenancyPassword); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, domain, user, password string }{
		{"OK", "acme", "boss", tenancyPassword},
		{"WrongPassword", "acme", "boss", "wrong"},
		{"UnknownUser", "acme", "nobody", tenancyPassword},
		{"UnknownDomain", "nosuch", "boss", tenancyPassword},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				s.LoginCustomer(ctx, c.domain, c.user, c.password)
			}
		})
	}
}
