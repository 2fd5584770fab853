package casebook

import (
	"context"
	"fmt"
)

// The operator's listings and changes (the admin CLI). None of them is
// reachable through the API.

// UserListing is a user with the names of their groups.
type UserListing struct {
	User     *User // without PasswordHash
	Groups   []*Group
	CcEmails []string // the carbon-copy addresses; empty when none
}

// GroupListing is a group with its members.
type GroupListing struct {
	Group   *Group
	Members []*User // without PasswordHash
}

// ListAccounts returns every account, oldest first.
func (s *Service) ListAccounts(ctx context.Context) ([]*Account, error) {
	var accounts []*Account
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		accounts, err = tx.FindAccounts(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find accounts: %w", err)
	}
	return accounts, nil
}

// ListUsers returns the users of the account named accountName with their
// groups.
func (s *Service) ListUsers(ctx context.Context, accountName string) ([]UserListing, error) {
	var out []UserListing
	err := s.store.Read(ctx, func(tx Tx) error {
		users, groups, memberOf, err := accountMembership(ctx, tx, accountName)
		if err != nil {
			return err
		}
		for _, u := range users {
			l := UserListing{User: u, Groups: []*Group{}}
			if l.CcEmails, err = tx.FindCcEmails(ctx, u.AccountID, u.ID); err != nil {
				return fmt.Errorf("find cc emails: %w", err)
			}
			for _, g := range groups {
				if memberOf[u.ID][g.ID] {
					l.Groups = append(l.Groups, g)
				}
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// ListGroups returns the groups of the account named accountName with
// their members.
func (s *Service) ListGroups(ctx context.Context, accountName string) ([]GroupListing, error) {
	var out []GroupListing
	err := s.store.Read(ctx, func(tx Tx) error {
		users, groups, memberOf, err := accountMembership(ctx, tx, accountName)
		if err != nil {
			return err
		}
		for _, g := range groups {
			l := GroupListing{Group: g, Members: []*User{}}
			for _, u := range users {
				if memberOf[u.ID][g.ID] {
					l.Members = append(l.Members, u)
				}
			}
			out = append(out, l)
		}
		return nil
	})
	return out, err
}

// accountMembership reads an account's users (without password hashes),
// groups, and which user is in which group.
func accountMembership(ctx context.Context, tx Tx, accountName string) ([]*User, []*Group, map[string]map[string]bool, error) {
	acc, err := tx.FindAccountByName(ctx, accountName)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find account: %w", err)
	}
	users, err := tx.FindUsers(ctx, acc.ID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find users: %w", err)
	}
	groups, err := tx.FindGroups(ctx, acc.ID)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("find groups: %w", err)
	}
	memberOf := make(map[string]map[string]bool, len(users))
	for i, u := range users {
		ids, err := tx.FindGroupIDsOfUser(ctx, u.ID)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("find groups of user: %w", err)
		}
		memberOf[u.ID] = make(map[string]bool, len(ids))
		for _, id := range ids {
			memberOf[u.ID][id] = true
		}
		c := *u
		c.PasswordHash = ""
		users[i] = &c
	}
	return users, groups, memberOf, nil
}

// ListEngineers returns every support engineer, oldest first, without
// password hashes.
func (s *Service) ListEngineers(ctx context.Context) ([]*Engineer, error) {
	var engineers []*Engineer
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		engineers, err = tx.FindEngineers(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find engineers: %w", err)
	}
	for i, e := range engineers {
		c := *e
		c.PasswordHash = ""
		engineers[i] = &c
	}
	return engineers, nil
}

// SetEngineerPassword changes an engineer's password and ends their
// tokens (the epoch moves on).
func (s *Service) SetEngineerPassword(ctx context.Context, name, password string) error {
	hash, err := s.hashNewPassword(password, name)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		engineer, err := tx.FindEngineerByName(ctx, name)
		if err != nil {
			return fmt.Errorf("find engineer: %w", err)
		}
		engineer.PasswordHash = hash
		engineer.Epoch++
		if err := tx.UpdateEngineer(ctx, engineer); err != nil {
			return fmt.Errorf("update engineer: %w", err)
		}
		return nil
	})
}

// SetEngineerEmail sets the e-mail address of the engineer named name, or
// clears it when email is "". Tokens stay valid: the address is not a
// credential.
func (s *Service) SetEngineerEmail(ctx context.Context, name, email string) error {
	if email != "" {
		if err := validateEmail("email", email); err != nil {
			return err
		}
	}
	return s.store.Write(ctx, func(tx Tx) error {
		engineer, err := tx.FindEngineerByName(ctx, name)
		if err != nil {
			return fmt.Errorf("find engineer: %w", err)
		}
		engineer.Email = email
		if err := tx.UpdateEngineer(ctx, engineer); err != nil {
			return fmt.Errorf("update engineer: %w", err)
		}
		return nil
	})
}
