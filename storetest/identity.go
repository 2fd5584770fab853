package storetest

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/casebook/casebook"
)

func testAccounts(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	a := &casebook.Account{ID: casebook.NewHexID(), Name: "acme", CreatedAt: at(0)}
	b := &casebook.Account{ID: casebook.NewHexID(), Name: "globex", CreatedAt: at(time.Minute)}
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateAccount(ctx, b); err != nil {
			return err
		}
		return tx.CreateAccount(ctx, a)
	})
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindAccountByID(ctx, a.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, a) {
			t.Fatalf("FindAccountByID = %+v, want %+v", got, a)
		}
		got, err = tx.FindAccountByName(ctx, "globex")
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, b) {
			t.Fatalf("FindAccountByName = %+v, want %+v", got, b)
		}
		all, err := tx.FindAccounts(ctx)
		if err != nil {
			t.Fatal(err)
		} else if len(all) != 2 || all[0].ID != a.ID || all[1].ID != b.ID {
			t.Fatalf("FindAccounts = %+v, want acme then globex", all)
		}
		_, err = tx.FindAccountByID(ctx, casebook.NewHexID())
		wantCode(t, err, casebook.ENOTFOUND)
		_, err = tx.FindAccountByName(ctx, "nobody")
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
	t.Run("Names", func(t *testing.T) {
		// More accounts than a page of tickets can name, asked for at once,
		// with an unknown id, an empty one and repeats.
		want := map[string]string{a.ID: "acme", b.ID: "globex"}
		ids := []string{a.ID, "", casebook.NewHexID(), a.ID, b.ID}
		write(t, s, func(tx casebook.Tx) error {
			for i := range 120 {
				acc := &casebook.Account{ID: casebook.NewHexID(), Name: fmt.Sprintf("names-%03d", i), CreatedAt: at(time.Hour)}
				if err := tx.CreateAccount(ctx, acc); err != nil {
					return err
				}
				want[acc.ID] = acc.Name
				ids = append(ids, acc.ID)
			}
			return nil
		})
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindAccountNames(ctx, ids)
			if err != nil {
				t.Fatal(err)
			} else if !reflect.DeepEqual(got, want) {
				t.Fatalf("FindAccountNames = %d names, want %d: %v", len(got), len(want), got)
			}
			for _, none := range [][]string{nil, {""}, {casebook.NewHexID()}} {
				got, err := tx.FindAccountNames(ctx, none)
				if err != nil {
					t.Fatal(err)
				} else if got == nil || len(got) != 0 {
					t.Fatalf("FindAccountNames(%q) = %#v, want an empty map", none, got)
				}
			}
			return nil
		})
	})
	t.Run("DuplicateName", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error {
			return tx.CreateAccount(ctx, &casebook.Account{ID: casebook.NewHexID(), Name: "acme", CreatedAt: at(0)})
		})
		wantCode(t, err, casebook.ECONFLICT)
	})
	t.Run("DuplicateID", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error {
			return tx.CreateAccount(ctx, &casebook.Account{ID: a.ID, Name: "other", CreatedAt: at(0)})
		})
		wantCode(t, err, casebook.ECONFLICT)
	})
}

func testUsers(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindUserByID(ctx, f.U1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, f.U1) {
			t.Fatalf("FindUserByID = %+v, want %+v", got, f.U1)
		}
		got, err = tx.FindUserByName(ctx, f.B.ID, "u1")
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, f.BU) {
			t.Fatalf("FindUserByName(B, u1) = %+v, want %+v", got, f.BU)
		}
		got, err = tx.FindUserByName(ctx, f.A.ID, f.A.Name)
		if err != nil {
			t.Fatal(err)
		} else if !got.IsMaster {
			t.Fatalf("master user read back without IsMaster: %+v", got)
		}
		users, err := tx.FindUsers(ctx, f.A.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []*casebook.User{f.AMaster, f.U1, f.U2, f.U3}
		if !reflect.DeepEqual(users, want) {
			t.Fatalf("FindUsers(A) = %d users, want the 4 of A in creation order", len(users))
		}
		_, err = tx.FindUserByID(ctx, casebook.NewHexID())
		wantCode(t, err, casebook.ENOTFOUND)
		_, err = tx.FindUserByName(ctx, f.A.ID, "nobody")
		wantCode(t, err, casebook.ENOTFOUND)
		_, err = tx.FindUserByName(ctx, f.B.ID, "u2") // u2 is of A
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})

	t.Run("DuplicateName", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error {
			return tx.CreateUser(ctx, &casebook.User{ID: casebook.NewHexID(), AccountID: f.A.ID, Name: "u2", CreatedAt: at(0)})
		})
		wantCode(t, err, casebook.ECONFLICT)
	})

	t.Run("Update", func(t *testing.T) {
		u := *f.U2
		u.PasswordHash, u.Enabled, u.Epoch = "new-hash", false, 7
		u.Name = "ignored" // not saved by UpdateUser
		write(t, s, func(tx casebook.Tx) error { return tx.UpdateUser(ctx, &u) })
		read(t, s, func(tx casebook.Tx) error {
			got, err := tx.FindUserByID(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.PasswordHash != "new-hash" || got.Enabled || got.Epoch != 7 || got.Name != "u2" {
				t.Fatalf("after UpdateUser: %+v", got)
			}
			return nil
		})
		missing := casebook.User{ID: casebook.NewHexID(), AccountID: f.A.ID}
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.UpdateUser(ctx, &missing) }), casebook.ENOTFOUND)
	})

	t.Run("Delete", func(t *testing.T) {
		c := newCase(f.U1, time.Hour, "created by a user about to leave")
		createCases(t, s, c)
		key := &casebook.AccessKey{ID: casebook.NewAccessKeyID(), AccountID: f.A.ID, UserID: f.U1.ID,
			SecretCiphertext: []byte{1, 2, 3}, Enabled: true, CreatedAt: at(0)}
		write(t, s, func(tx casebook.Tx) error { return tx.CreateAccessKey(ctx, key) })

		// Another account cannot delete the user.
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteUser(ctx, f.B.ID, f.U1.ID) }), casebook.ENOTFOUND)
		write(t, s, func(tx casebook.Tx) error { return tx.DeleteUser(ctx, f.A.ID, f.U1.ID) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindUserByID(ctx, f.U1.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			_, err = tx.FindAccessKey(ctx, key.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			groups, err := tx.FindGroupIDsOfUser(ctx, f.U1.ID)
			if err != nil || len(groups) != 0 {
				t.Fatalf("groups of deleted user = %v, %v; want none", groups, err)
			}
			got, err := tx.FindCase(ctx, f.master(), c.ID)
			if err != nil {
				t.Fatalf("ticket of deleted user: %v", err)
			} else if got.CreatorID != f.U1.ID {
				t.Fatalf("ticket creator changed to %q", got.CreatorID)
			}
			return nil
		})
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteUser(ctx, f.A.ID, f.U1.ID) }), casebook.ENOTFOUND)
	})
}

func testGroups(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	read(t, s, func(tx casebook.Tx) error {
		g, err := tx.FindGroupByID(ctx, f.A.ID, f.G.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(g, f.G) {
			t.Fatalf("FindGroupByID = %+v, want %+v", g, f.G)
		}
		_, err = tx.FindGroupByID(ctx, f.B.ID, f.G.ID)
		wantCode(t, err, casebook.ENOTFOUND)
		groups, err := tx.FindGroups(ctx, f.A.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(groups, []*casebook.Group{f.G, f.G3}) {
			t.Fatalf("FindGroups(A) = %+v", groups)
		}
		groups, err = tx.FindGroups(ctx, f.B.ID)
		if err != nil || len(groups) != 0 {
			t.Fatalf("FindGroups(B) = %v, %v; want none", groups, err)
		}
		ids, err := tx.FindGroupIDsOfUser(ctx, f.U1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(ids, []string{f.G.ID}) {
			t.Fatalf("FindGroupIDsOfUser(u1) = %v", ids)
		}
		return nil
	})

	t.Run("DuplicateName", func(t *testing.T) {
		err := s.Write(ctx, func(tx casebook.Tx) error {
			return tx.CreateGroup(ctx, &casebook.Group{ID: casebook.NewHexID(), AccountID: f.A.ID, Name: "ops", CreatedAt: at(0)})
		})
		wantCode(t, err, casebook.ECONFLICT)
		// The same name in another account is fine.
		write(t, s, func(tx casebook.Tx) error {
			return tx.CreateGroup(ctx, &casebook.Group{ID: casebook.NewHexID(), AccountID: f.B.ID, Name: "ops", CreatedAt: at(0)})
		})
	})

	t.Run("Members", func(t *testing.T) {
		write(t, s, func(tx casebook.Tx) error {
			// Idempotent.
			if err := tx.AddGroupMember(ctx, f.A.ID, f.G.ID, f.U1.ID); err != nil {
				return err
			}
			return tx.AddGroupMember(ctx, f.A.ID, f.G.ID, f.U3.ID)
		})
		read(t, s, func(tx casebook.Tx) error {
			ids, err := tx.FindGroupIDsOfUser(ctx, f.U3.ID)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{f.G.ID, f.G3.ID}
			slices.Sort(want)
			if !reflect.DeepEqual(ids, want) {
				t.Fatalf("FindGroupIDsOfUser(u3) = %v, want %v", ids, want)
			}
			return nil
		})
		// User and group must both be of the account.
		for name, fn := range map[string]func(tx casebook.Tx) error{
			"user of B":        func(tx casebook.Tx) error { return tx.AddGroupMember(ctx, f.A.ID, f.G.ID, f.BU.ID) },
			"group of A via B": func(tx casebook.Tx) error { return tx.AddGroupMember(ctx, f.B.ID, f.G.ID, f.BU.ID) },
			"missing group":    func(tx casebook.Tx) error { return tx.AddGroupMember(ctx, f.A.ID, casebook.NewHexID(), f.U1.ID) },
			"remove via B":     func(tx casebook.Tx) error { return tx.RemoveGroupMember(ctx, f.B.ID, f.G.ID, f.U1.ID) },
		} {
			wantCode(t, s.Write(ctx, fn), casebook.ENOTFOUND)
			_ = name
		}
		write(t, s, func(tx casebook.Tx) error { return tx.RemoveGroupMember(ctx, f.A.ID, f.G.ID, f.U3.ID) })
		read(t, s, func(tx casebook.Tx) error {
			ids, err := tx.FindGroupIDsOfUser(ctx, f.U3.ID)
			if err != nil || !reflect.DeepEqual(ids, []string{f.G3.ID}) {
				t.Fatalf("after remove: %v, %v", ids, err)
			}
			return nil
		})
	})

	t.Run("Delete", func(t *testing.T) {
		wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteGroup(ctx, f.B.ID, f.G3.ID) }), casebook.ENOTFOUND)
		write(t, s, func(tx casebook.Tx) error { return tx.DeleteGroup(ctx, f.A.ID, f.G3.ID) })
		read(t, s, func(tx casebook.Tx) error {
			_, err := tx.FindGroupByID(ctx, f.A.ID, f.G3.ID)
			wantCode(t, err, casebook.ENOTFOUND)
			ids, err := tx.FindGroupIDsOfUser(ctx, f.U3.ID)
			if err != nil || len(ids) != 0 {
				t.Fatalf("memberships of a deleted group remain: %v, %v", ids, err)
			}
			return nil
		})
	})
}

func testEngineers(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	e1 := &casebook.Engineer{ID: casebook.NewHexID(), Name: "alice", PasswordHash: "h1", Enabled: true, Epoch: 1, CreatedAt: at(0)}
	e2 := &casebook.Engineer{ID: casebook.NewHexID(), Name: "bob", PasswordHash: "h2", Enabled: false, Epoch: 3, CreatedAt: at(time.Second)}
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateEngineer(ctx, e1); err != nil {
			return err
		}
		return tx.CreateEngineer(ctx, e2)
	})
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
		return tx.CreateEngineer(ctx, &casebook.Engineer{ID: casebook.NewHexID(), Name: "alice", CreatedAt: at(0)})
	}), casebook.ECONFLICT)

	e1.PasswordHash, e1.Enabled, e1.Epoch = "h1b", false, 2
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateEngineer(ctx, e1) })
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindEngineerByID(ctx, e1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, e1) {
			t.Fatalf("FindEngineerByID = %+v, want %+v", got, e1)
		}
		got, err = tx.FindEngineerByName(ctx, "bob")
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, e2) {
			t.Fatalf("FindEngineerByName = %+v, want %+v", got, e2)
		}
		all, err := tx.FindEngineers(ctx)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(all, []*casebook.Engineer{e1, e2}) {
			t.Fatalf("FindEngineers = %+v", all)
		}
		_, err = tx.FindEngineerByName(ctx, "carol")
		wantCode(t, err, casebook.ENOTFOUND)
		_, err = tx.FindEngineerByID(ctx, casebook.NewHexID())
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
		return tx.UpdateEngineer(ctx, &casebook.Engineer{ID: casebook.NewHexID()})
	}), casebook.ENOTFOUND)
}

func testAccessKeys(t *testing.T, s casebook.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	k1 := &casebook.AccessKey{ID: casebook.NewAccessKeyID(), AccountID: f.A.ID, UserID: f.U1.ID,
		SecretCiphertext: []byte{0, 1, 2, 0xff, 0x80}, Enabled: true, Description: "deploy ✓", CreatedAt: at(0)}
	k2 := &casebook.AccessKey{ID: casebook.NewAccessKeyID(), AccountID: f.A.ID, UserID: f.U1.ID,
		SecretCiphertext: []byte("sealed"), Enabled: true, CreatedAt: at(time.Second)}
	write(t, s, func(tx casebook.Tx) error {
		if err := tx.CreateAccessKey(ctx, k1); err != nil {
			return err
		}
		return tx.CreateAccessKey(ctx, k2)
	})
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error {
		dup := *k1
		return tx.CreateAccessKey(ctx, &dup)
	}), casebook.ECONFLICT)

	k1.Enabled, k1.Description = false, "rotated 'key' ✗"
	write(t, s, func(tx casebook.Tx) error { return tx.UpdateAccessKey(ctx, k1) })
	read(t, s, func(tx casebook.Tx) error {
		got, err := tx.FindAccessKey(ctx, k1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(got, k1) {
			t.Fatalf("FindAccessKey = %+v, want %+v", got, k1)
		}
		keys, err := tx.FindAccessKeys(ctx, f.U1.ID)
		if err != nil {
			t.Fatal(err)
		} else if !reflect.DeepEqual(keys, []*casebook.AccessKey{k1, k2}) {
			t.Fatalf("FindAccessKeys = %+v", keys)
		}
		keys, err = tx.FindAccessKeys(ctx, f.U2.ID)
		if err != nil || len(keys) != 0 {
			t.Fatalf("FindAccessKeys(u2) = %v, %v", keys, err)
		}
		_, err = tx.FindAccessKey(ctx, casebook.NewAccessKeyID())
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
	// Only the owner's keys can be deleted.
	wantCode(t, s.Write(ctx, func(tx casebook.Tx) error { return tx.DeleteAccessKey(ctx, f.U2.ID, k1.ID) }), casebook.ENOTFOUND)
	write(t, s, func(tx casebook.Tx) error { return tx.DeleteAccessKey(ctx, f.U1.ID, k1.ID) })
	read(t, s, func(tx casebook.Tx) error {
		_, err := tx.FindAccessKey(ctx, k1.ID)
		wantCode(t, err, casebook.ENOTFOUND)
		return nil
	})
}
