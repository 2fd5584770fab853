package casebook_test

import (
	"context"
	"testing"

	"github.com/casebook/casebook"
)

// TestIdentity_AccessKeysFor checks the reach of a customer over access
// keys: a user manages their own keys, the account's master user those of
// every user of the account, and nothing outside that reach exists.
func TestIdentity_AccessKeysFor(t *testing.T) {
	tn := newTenancy(t)
	s, ctx := tn.s, context.Background()

	aliceKey, sk, err := s.CreateAccessKeyFor(ctx, tn.alice, "", "alice's own")
	if err != nil {
		t.Fatal(err)
	} else if aliceKey.UserID != tn.aliceID || aliceKey.AccountID != tn.acme.ID || sk == "" || aliceKey.SecretCiphertext != nil {
		t.Fatalf("CreateAccessKeyFor(alice, own) = %+v, sk %q", aliceKey, sk)
	}
	bobKey, _, err := s.CreateAccessKeyFor(ctx, tn.boss, tn.bobID, "made by the master")
	if err != nil {
		t.Fatal(err)
	} else if bobKey.UserID != tn.bobID {
		t.Fatalf("the master created a key for %s, want bob %s", bobKey.UserID, tn.bobID)
	}
	malloryKey, _, err := s.CreateAccessKeyFor(ctx, tn.mallory, tn.malloryID, "")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("OwnByEmptyOrOwnID", func(t *testing.T) {
		for _, userID := range []string{"", tn.aliceID} {
			keys, err := s.ListAccessKeysFor(ctx, tn.alice, userID)
			if err != nil {
				t.Fatal(err)
			} else if len(keys) != 1 || keys[0].ID != aliceKey.ID || keys[0].SecretCiphertext != nil {
				t.Fatalf("ListAccessKeysFor(alice, %q) = %+v, want alice's key only", userID, keys)
			}
		}
		got, err := s.GetAccessKeyFor(ctx, tn.alice, aliceKey.ID)
		if err != nil {
			t.Fatal(err)
		} else if got.ID != aliceKey.ID || got.Description != "alice's own" || got.SecretCiphertext != nil {
			t.Fatalf("GetAccessKeyFor = %+v", got)
		}
	})

	t.Run("SubUserNamingAnotherUserIsForbidden", func(t *testing.T) {
		for _, userID := range []string{tn.bobID, tn.malloryID, casebook.NewHexID()} {
			_, _, err := s.CreateAccessKeyFor(ctx, tn.alice, userID, "")
			checkErrorKind(t, err, casebook.EFORBIDDEN)
			_, err = s.ListAccessKeysFor(ctx, tn.alice, userID)
			checkErrorKind(t, err, casebook.EFORBIDDEN)
		}
	})

	t.Run("MasterReachesTheAccountOnly", func(t *testing.T) {
		keys, err := s.ListAccessKeysFor(ctx, tn.boss, tn.bobID)
		if err != nil {
			t.Fatal(err)
		} else if len(keys) != 1 || keys[0].ID != bobKey.ID {
			t.Fatalf("the master listed bob's keys as %+v", keys)
		}
		// Another account's user answers exactly like no user.
		for _, userID := range []string{tn.malloryID, casebook.NewHexID()} {
			_, err := s.ListAccessKeysFor(ctx, tn.boss, userID)
			checkErrorKind(t, err, casebook.ENOTFOUND)
			if casebook.ErrorMessage(err) != "The user does not exist." {
				t.Fatalf("ListAccessKeysFor(boss, %s) = %q, want the one not-found message", userID, err)
			}
			_, _, err = s.CreateAccessKeyFor(ctx, tn.boss, userID, "")
			checkErrorKind(t, err, casebook.ENOTFOUND)
		}
		got, err := s.GetAccessKeyFor(ctx, tn.boss, aliceKey.ID)
		if err != nil || got.ID != aliceKey.ID {
			t.Fatalf("the master cannot see alice's key: %+v, %v", got, err)
		}
	})

	t.Run("KeysOutsideTheReachDoNotExist", func(t *testing.T) {
		desc := "taken over"
		for _, c := range []struct {
			name string
			p    *casebook.Principal
			ak   string
		}{
			{"SubUserOnSiblingsKey", tn.alice, bobKey.ID},
			{"SubUserOnOtherAccountsKey", tn.alice, malloryKey.ID},
			{"MasterOnOtherAccountsKey", tn.boss, malloryKey.ID},
			{"OtherMasterOnAccountsKey", tn.mallory, aliceKey.ID},
			{"UnknownKey", tn.boss, casebook.NewAccessKeyID()},
			{"Engineer", tn.engineer, aliceKey.ID},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.GetAccessKeyFor(ctx, c.p, c.ak)
				checkErrorKind(t, err, casebook.ENOTFOUND)
				want := casebook.ErrorMessage(err)
				_, err = s.UpdateAccessKeyFor(ctx, c.p, c.ak, casebook.AccessKeyUpdate{Description: &desc, Enabled: new(false)})
				checkErrorKind(t, err, casebook.ENOTFOUND)
				if casebook.ErrorMessage(err) != want {
					t.Fatalf("UpdateAccessKeyFor says %q, GetAccessKeyFor %q", err, want)
				}
				checkErrorKind(t, s.DeleteAccessKeyFor(ctx, c.p, c.ak), casebook.ENOTFOUND)
			})
		}
		// Nothing changed: every key is still there, enabled, as created.
		for _, k := range []*casebook.AccessKey{aliceKey, bobKey, malloryKey} {
			var got *casebook.AccessKey
			err := s.TestStore().Read(ctx, func(tx casebook.Tx) error {
				var err error
				got, err = tx.FindAccessKey(ctx, k.ID)
				return err
			})
			if err != nil {
				t.Fatal(err)
			} else if !got.Enabled || got.Description != k.Description {
				t.Fatalf("key %s changed to %+v", k.ID, got)
			}
		}
	})

	t.Run("UpdateAndDeleteWithinReach", func(t *testing.T) {
		desc := "renamed by the master"
		got, err := s.UpdateAccessKeyFor(ctx, tn.boss, bobKey.ID, casebook.AccessKeyUpdate{Description: &desc, Enabled: new(false)})
		if err != nil {
			t.Fatal(err)
		} else if got.Description != desc || got.Enabled || got.SecretCiphertext != nil {
			t.Fatalf("UpdateAccessKeyFor = %+v", got)
		}
		if _, err := s.UpdateAccessKeyFor(ctx, tn.bob, bobKey.ID, casebook.AccessKeyUpdate{Enabled: new(true)}); err != nil {
			t.Fatal(err)
		}
		if err := s.DeleteAccessKeyFor(ctx, tn.bob, bobKey.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.GetAccessKeyFor(ctx, tn.boss, bobKey.ID)
		checkErrorKind(t, err, casebook.ENOTFOUND)
	})

	t.Run("EngineersHaveNoKeys", func(t *testing.T) {
		_, _, err := s.CreateAccessKeyFor(ctx, tn.engineer, "", "")
		checkErrorKind(t, err, casebook.EFORBIDDEN)
		_, err = s.ListAccessKeysFor(ctx, tn.engineer, "")
		checkErrorKind(t, err, casebook.EFORBIDDEN)
	})
}

// TestIdentity_LoginNames checks the login by ids: names are resolved, and
// every id or name that does not fit yields empty names, no error.
func TestIdentity_LoginNames(t *testing.T) {
	tn := newTenancy(t)
	s, ctx := tn.s, context.Background()
	for _, c := range []struct {
		name                  string
		ref                   casebook.LoginRef
		wantAccount, wantUser string
	}{
		{"UserID", casebook.LoginRef{UserID: tn.aliceID}, "acme", "alice"},
		{"UserIDAndNames", casebook.LoginRef{UserID: tn.aliceID, UserName: "alice", AccountName: "acme", AccountID: tn.acme.ID}, "acme", "alice"},
		{"AccountIDAndUserName", casebook.LoginRef{AccountID: tn.acme.ID, UserName: "bob"}, "acme", "bob"},
		{"UserIDWithAnotherName", casebook.LoginRef{UserID: tn.aliceID, UserName: "bob"}, "", ""},
		{"UserIDWithAnotherAccount", casebook.LoginRef{UserID: tn.aliceID, AccountID: tn.globex.ID}, "", ""},
		{"UserIDWithAnotherAccountName", casebook.LoginRef{UserID: tn.malloryID, AccountName: "acme"}, "", ""},
		{"UnknownUserID", casebook.LoginRef{UserID: casebook.NewHexID()}, "", ""},
		{"UnknownAccountID", casebook.LoginRef{AccountID: casebook.NewHexID(), UserName: "alice"}, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			account, user, err := s.LoginNames(ctx, c.ref)
			if err != nil {
				t.Fatal(err)
			} else if account != c.wantAccount || user != c.wantUser {
				t.Fatalf("LoginNames(%+v) = %q, %q; want %q, %q", c.ref, account, user, c.wantAccount, c.wantUser)
			}
		})
	}
}

// TestIdentity_AccountsForEngineers checks the account lookups that only
// engineers may make.
func TestIdentity_AccountsForEngineers(t *testing.T) {
	tn := newTenancy(t)
	s, ctx := tn.s, context.Background()

	names, err := s.AccountNames(ctx, tn.engineer, []string{tn.acme.ID, "", tn.globex.ID, tn.acme.ID})
	if err != nil {
		t.Fatal(err)
	} else if len(names) != 2 || names[tn.acme.ID] != "acme" || names[tn.globex.ID] != "globex" {
		t.Fatalf("AccountNames = %v", names)
	}
	if names, err = s.AccountNames(ctx, tn.engineer, nil); err != nil || len(names) != 0 {
		t.Fatalf("AccountNames(nil) = %v, %v", names, err)
	}
	_, err = s.AccountNames(ctx, tn.engineer, []string{tn.acme.ID, casebook.NewHexID()})
	checkErrorKind(t, err, casebook.ENOTFOUND)

	for _, ref := range []string{"globex", tn.globex.ID} {
		a, err := s.EngineerAccount(ctx, tn.engineer, ref)
		if err != nil {
			t.Fatal(err)
		} else if a.ID != tn.globex.ID {
			t.Fatalf("EngineerAccount(%q) = %+v", ref, a)
		}
	}
	_, err = s.EngineerAccount(ctx, tn.engineer, "initech")
	checkErrorKind(t, err, casebook.ENOTFOUND)

	for _, p := range []*casebook.Principal{tn.boss, tn.alice, nil} {
		_, err := s.AccountNames(ctx, p, []string{tn.acme.ID})
		checkErrorKind(t, err, casebook.EFORBIDDEN)
		_, err = s.EngineerAccount(ctx, p, "acme")
		checkErrorKind(t, err, casebook.EFORBIDDEN)
	}
}

// TestService_Ready checks the readiness probe against an open and a
// closed store.
func TestService_Ready(t *testing.T) {
	s, _ := MustOpenService(t)
	ctx := context.Background()
	if err := s.Ready(ctx); err != nil {
		t.Fatalf("Ready on an open store: %v", err)
	}
	if err := s.TestStore().Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Ready(ctx); err == nil {
		t.Fatal("Ready on a closed store: no error")
	}
}
