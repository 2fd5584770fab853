package casebook

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxAccessKeysPerUser is IAM's limit of access keys per user.
const MaxAccessKeysPerUser = 2

// MaxAccessKeyDescription is IAM's limit of an access key's description,
// in characters.
const MaxAccessKeyDescription = 255

func checkAccessKeyDescription(description string) error {
	if utf8.RuneCountInString(description) > MaxAccessKeyDescription {
		return Invalidf("description", "description must be at most %d characters.", MaxAccessKeyDescription)
	}
	return nil
}

// reservedAccountNames may not be used as account (domain) names: they
// would read as the operator or the support side in logs and tokens.
var reservedAccountNames = map[string]bool{
	"admin": true, "administrator": true, "root": true, "system": true,
	"casebook": true, "support": true, "engineer": true, "engineers": true,
	"huawei": true, "iam": true, "anonymous": true,
}

// ValidateName checks an account, user, group or engineer name:
// 1..MaxNameLength characters of A-Z, a-z, 0-9, '_', '.' and '-', and not
// made of dots only.
func ValidateName(field, name string) error {
	if name == "" {
		return Invalidf(field, "The %s must not be empty.", field)
	} else if len(name) > MaxNameLength {
		return Invalidf(field, "The %s must be at most %d characters.", field, MaxNameLength)
	}
	dotsOnly := true
	for _, c := range name {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '_', c == '-':
			dotsOnly = false
		case c == '.':
		default:
			return Invalidf(field, "The %s may only contain letters, digits, '_', '.' and '-'.", field)
		}
	}
	if dotsOnly {
		return Invalidf(field, "The %s %q is reserved.", field, name)
	}
	return nil
}

// errLoginFailed is the one answer to every failed login, whatever failed.
func errLoginFailed() error {
	return Errorf(EUNAUTHORIZED, "Incorrect account name, user name or password.")
}

// errPrincipalGone answers a token or signature whose user can no longer act.
func errPrincipalGone() error {
	return Errorf(EUNAUTHORIZED, "The credentials are no longer valid.")
}

// hashNewPassword checks a password being set for userName against the
// password policy and hashes it. Every path that sets a password goes
// through it.
func (s *Service) hashNewPassword(password, userName string) (string, error) {
	if err := s.Config.PasswordPolicy.Check(password, userName); err != nil {
		return "", err
	}
	return HashPassword(password, s.Config.PasswordIterations)
}

// CreateAccount creates an account (an IAM domain) and its master user.
func (s *Service) CreateAccount(ctx context.Context, name, masterName, password string) (*Account, *User, error) {
	if err := ValidateName("account_name", name); err != nil {
		return nil, nil, err
	} else if reservedAccountNames[strings.ToLower(name)] {
		return nil, nil, Invalidf("account_name", "The account name %q is reserved.", name)
	} else if err := ValidateName("user_name", masterName); err != nil {
		return nil, nil, err
	}
	hash, err := s.hashNewPassword(password, masterName)
	if err != nil {
		return nil, nil, err
	}

	now := s.nowMS()
	account := &Account{ID: NewHexID(), Name: name, CreatedAt: now}
	master := &User{
		ID:           NewHexID(),
		AccountID:    account.ID,
		Name:         masterName,
		PasswordHash: hash,
		IsMaster:     true,
		Enabled:      true,
		Epoch:        1,
		CreatedAt:    now,
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.FindAccountByName(ctx, name); err == nil {
			return Errorf(ECONFLICT, "The account name %q is taken.", name)
		} else if ErrorCode(err) != ENOTFOUND {
			return fmt.Errorf("find account: %w", err)
		}
		if err := tx.CreateAccount(ctx, account); err != nil {
			return fmt.Errorf("create account: %w", err)
		}
		if err := tx.CreateUser(ctx, master); err != nil {
			return fmt.Errorf("create master user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	return account, master, nil
}

// findAccountAndUser looks up a user by account and user name.
func findAccountAndUser(ctx context.Context, tx Tx, accountName, userName string) (*Account, *User, error) {
	account, err := tx.FindAccountByName(ctx, accountName)
	if err != nil {
		return nil, nil, fmt.Errorf("find account: %w", err)
	}
	user, err := tx.FindUserByName(ctx, account.ID, userName)
	if err != nil {
		return nil, nil, fmt.Errorf("find user: %w", err)
	}
	return account, user, nil
}

// CreateUser creates an enabled sub-user of an account.
func (s *Service) CreateUser(ctx context.Context, accountName, name, password string) (*User, error) {
	if err := ValidateName("user_name", name); err != nil {
		return nil, err
	}
	hash, err := s.hashNewPassword(password, name)
	if err != nil {
		return nil, err
	}
	var user *User
	err = s.store.Write(ctx, func(tx Tx) error {
		account, err := tx.FindAccountByName(ctx, accountName)
		if err != nil {
			return fmt.Errorf("find account: %w", err)
		}
		if _, err := tx.FindUserByName(ctx, account.ID, name); err == nil {
			return Errorf(ECONFLICT, "The user name %q is taken in this account.", name)
		} else if ErrorCode(err) != ENOTFOUND {
			return fmt.Errorf("find user: %w", err)
		}
		user = &User{
			ID:           NewHexID(),
			AccountID:    account.ID,
			Name:         name,
			PasswordHash: hash,
			Enabled:      true,
			Epoch:        1,
			CreatedAt:    s.nowMS(),
		}
		if err := tx.CreateUser(ctx, user); err != nil {
			return fmt.Errorf("create user: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return user, nil
}

// SetUserEnabled enables or disables a user. Either way the user's epoch is
// bumped, so tokens issued before stop working.
func (s *Service) SetUserEnabled(ctx context.Context, accountName, name string, enabled bool) error {
	return s.updateUserRevokingTokens(ctx, accountName, name, func(u *User) { u.Enabled = enabled })
}

// SetUserPassword replaces a user's password and bumps the epoch, so
// tokens issued before stop working.
func (s *Service) SetUserPassword(ctx context.Context, accountName, name, password string) error {
	hash, err := s.hashNewPassword(password, name)
	if err != nil {
		return err
	}
	return s.updateUserRevokingTokens(ctx, accountName, name, func(u *User) { u.PasswordHash = hash })
}

// updateUserRevokingTokens applies change to a user and bumps their epoch,
// which revokes every token issued before.
func (s *Service) updateUserRevokingTokens(ctx context.Context, accountName, name string, change func(u *User)) error {
	return s.store.Write(ctx, func(tx Tx) error {
		_, user, err := findAccountAndUser(ctx, tx, accountName, name)
		if err != nil {
			return err
		}
		change(user)
		user.Epoch++
		if err := tx.UpdateUser(ctx, user); err != nil {
			return fmt.Errorf("update user: %w", err)
		}
		return nil
	})
}

// DeleteUser deletes a sub-user with their memberships and access keys.
// The master user cannot be deleted: the account would have no one left to
// see all of it.
func (s *Service) DeleteUser(ctx context.Context, accountName, name string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		account, user, err := findAccountAndUser(ctx, tx, accountName, name)
		if err != nil {
			return err
		}
		if user.IsMaster {
			return Errorf(ECONFLICT, "The master user of an account cannot be deleted.")
		}
		if err := tx.DeleteUser(ctx, account.ID, user.ID); err != nil {
			return fmt.Errorf("delete user: %w", err)
		}
		return nil
	})
}

// CreateGroup creates a user group in an account.
func (s *Service) CreateGroup(ctx context.Context, accountName, name string) (*Group, error) {
	if err := ValidateName("group_name", name); err != nil {
		return nil, err
	}
	var group *Group
	err := s.store.Write(ctx, func(tx Tx) error {
		account, err := tx.FindAccountByName(ctx, accountName)
		if err != nil {
			return fmt.Errorf("find account: %w", err)
		}
		groups, err := tx.FindGroups(ctx, account.ID)
		if err != nil {
			return fmt.Errorf("find groups: %w", err)
		}
		for _, g := range groups {
			if g.Name == name {
				return Errorf(ECONFLICT, "The group name %q is taken in this account.", name)
			}
		}
		group = &Group{ID: NewHexID(), AccountID: account.ID, Name: name, CreatedAt: s.nowMS()}
		if err := tx.CreateGroup(ctx, group); err != nil {
			return fmt.Errorf("create group: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return group, nil
}

// findGroupMembership resolves the account, a group of it (by id or name)
// and a user of it (by name).
func findGroupMembership(ctx context.Context, tx Tx, accountName, groupNameOrID, userName string) (*Group, *User, error) {
	account, user, err := findAccountAndUser(ctx, tx, accountName, userName)
	if err != nil {
		return nil, nil, err
	}
	groups, err := tx.FindGroups(ctx, account.ID)
	if err != nil {
		return nil, nil, fmt.Errorf("find groups: %w", err)
	}
	// Ids first: a group could be named like another group's id.
	for _, g := range groups {
		if g.ID == groupNameOrID {
			return g, user, nil
		}
	}
	for _, g := range groups {
		if g.Name == groupNameOrID {
			return g, user, nil
		}
	}
	return nil, nil, NotFoundf("Group %q not found in account %q.", groupNameOrID, accountName)
}

// AddGroupMember adds a user to a group of the same account; adding a
// member again changes nothing.
func (s *Service) AddGroupMember(ctx context.Context, accountName, groupNameOrID, userName string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		group, user, err := findGroupMembership(ctx, tx, accountName, groupNameOrID, userName)
		if err != nil {
			return err
		}
		if err := tx.AddGroupMember(ctx, group.AccountID, group.ID, user.ID); err != nil {
			return fmt.Errorf("add group member: %w", err)
		}
		return nil
	})
}

// RemoveGroupMember removes a user from a group. The user loses the
// group's view with their next request: groups are resolved per request.
func (s *Service) RemoveGroupMember(ctx context.Context, accountName, groupNameOrID, userName string) error {
	return s.store.Write(ctx, func(tx Tx) error {
		group, user, err := findGroupMembership(ctx, tx, accountName, groupNameOrID, userName)
		if err != nil {
			return err
		}
		if err := tx.RemoveGroupMember(ctx, group.AccountID, group.ID, user.ID); err != nil {
			return fmt.Errorf("remove group member: %w", err)
		}
		return nil
	})
}

// CreateEngineer creates an enabled support engineer without an e-mail
// address.
func (s *Service) CreateEngineer(ctx context.Context, name, password string) (*Engineer, error) {
	return s.CreateEngineerWithEmail(ctx, name, password, "")
}

// CreateEngineerWithEmail creates an enabled support engineer whose mails
// (new tickets, grants made to them) go to email; "" for none.
func (s *Service) CreateEngineerWithEmail(ctx context.Context, name, password, email string) (*Engineer, error) {
	if err := ValidateName("engineer_name", name); err != nil {
		return nil, err
	}
	if email != "" {
		if err := validateEmail("email", email); err != nil {
			return nil, err
		}
	}
	hash, err := s.hashNewPassword(password, name)
	if err != nil {
		return nil, err
	}
	engineer := &Engineer{
		ID:           NewHexID(),
		Name:         name,
		PasswordHash: hash,
		Enabled:      true,
		Epoch:        1,
		Email:        email,
		CreatedAt:    s.nowMS(),
	}
	err = s.store.Write(ctx, func(tx Tx) error {
		if _, err := tx.FindEngineerByName(ctx, name); err == nil {
			return Errorf(ECONFLICT, "The engineer name %q is taken.", name)
		} else if ErrorCode(err) != ENOTFOUND {
			return fmt.Errorf("find engineer: %w", err)
		}
		if err := tx.CreateEngineer(ctx, engineer); err != nil {
			return fmt.Errorf("create engineer: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return engineer, nil
}

// SetEngineerEnabled enables or disables an engineer and bumps the epoch.
func (s *Service) SetEngineerEnabled(ctx context.Context, name string, enabled bool) error {
	return s.store.Write(ctx, func(tx Tx) error {
		engineer, err := tx.FindEngineerByName(ctx, name)
		if err != nil {
			return fmt.Errorf("find engineer: %w", err)
		}
		engineer.Enabled = enabled
		engineer.Epoch++
		if err := tx.UpdateEngineer(ctx, engineer); err != nil {
			return fmt.Errorf("update engineer: %w", err)
		}
		return nil
	})
}

// secretKeyAlphabet is the alphabet of secret keys, like Huawei's SKs.
const secretKeyAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

// secretKeyLength is the length of a secret key (about 238 bits).
const secretKeyLength = 40

// newSecretKey returns secretKeyLength uniformly random characters of
// secretKeyAlphabet.
func newSecretKey() string {
	const n = len(secretKeyAlphabet)
	const unbiased = 256 - 256%n // bytes at or above this would favour the first letters
	out := make([]byte, 0, secretKeyLength)
	buf := make([]byte, 2*secretKeyLength)
	for len(out) < secretKeyLength {
		rand.Read(buf)
		for _, b := range buf {
			if int(b) < unbiased && len(out) < secretKeyLength {
				out = append(out, secretKeyAlphabet[int(b)%n])
			}
		}
	}
	return string(out)
}

// withoutSecret returns a copy of k without the sealed secret, which is of
// no use outside the service.
func withoutSecret(k *AccessKey) *AccessKey {
	c := *k
	c.SecretCiphertext = nil
	return &c
}

// CreateAccessKey creates an AK/SK pair for a user and returns the SK. The
// SK is stored sealed, bound to its AK, and is never shown again.
func (s *Service) CreateAccessKey(ctx context.Context, userID, description string) (*AccessKey, string, error) {
	return s.createAccessKey(ctx, description, func(tx Tx) (*User, error) {
		user, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("find user: %w", err)
		}
		return user, nil
	})
}

// CreateAccessKeyFor is CreateAccessKey on behalf of a customer: for
// userID, or for p when userID is empty, within the reach of
// accessKeyUser.
func (s *Service) CreateAccessKeyFor(ctx context.Context, p *Principal, userID, description string) (*AccessKey, string, error) {
	return s.createAccessKey(ctx, description, func(tx Tx) (*User, error) {
		return accessKeyUser(ctx, tx, p, userID)
	})
}

// createAccessKey creates a key for the user that find returns.
func (s *Service) createAccessKey(ctx context.Context, description string, find func(tx Tx) (*User, error)) (*AccessKey, string, error) {
	if err := checkAccessKeyDescription(description); err != nil {
		return nil, "", err
	}
	ak, sk := NewAccessKeyID(), newSecretKey()
	sealed, err := s.Sealer.Seal([]byte(sk), []byte(ak))
	if err != nil {
		return nil, "", fmt.Errorf("seal secret key: %w", err)
	}
	var key *AccessKey
	err = s.store.Write(ctx, func(tx Tx) error {
		user, err := find(tx)
		if err != nil {
			return err
		}
		keys, err := tx.FindAccessKeys(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("find access keys: %w", err)
		}
		if len(keys) >= MaxAccessKeysPerUser {
			return Errorf(ELIMIT, "A user can have at most %d access keys.", MaxAccessKeysPerUser)
		}
		key = &AccessKey{
			ID:               ak,
			AccountID:        user.AccountID,
			UserID:           user.ID,
			SecretCiphertext: sealed,
			Enabled:          true,
			Description:      description,
			CreatedAt:        s.nowMS(),
		}
		if err := tx.CreateAccessKey(ctx, key); err != nil {
			return fmt.Errorf("create access key: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return withoutSecret(key), sk, nil
}

// ListAccessKeys returns a user's access keys, without their secrets.
func (s *Service) ListAccessKeys(ctx context.Context, userID string) ([]*AccessKey, error) {
	return s.listAccessKeys(ctx, func(tx Tx) (*User, error) {
		user, err := tx.FindUserByID(ctx, userID)
		if err != nil {
			return nil, fmt.Errorf("find user: %w", err)
		}
		return user, nil
	})
}

// ListAccessKeysFor is ListAccessKeys on behalf of a customer: the keys of
// userID, or of p when userID is empty, within the reach of accessKeyUser.
func (s *Service) ListAccessKeysFor(ctx context.Context, p *Principal, userID string) ([]*AccessKey, error) {
	return s.listAccessKeys(ctx, func(tx Tx) (*User, error) {
		return accessKeyUser(ctx, tx, p, userID)
	})
}

// listAccessKeys lists the keys of the user that find returns.
func (s *Service) listAccessKeys(ctx context.Context, find func(tx Tx) (*User, error)) ([]*AccessKey, error) {
	var keys []*AccessKey
	err := s.store.Read(ctx, func(tx Tx) error {
		user, err := find(tx)
		if err != nil {
			return err
		}
		found, err := tx.FindAccessKeys(ctx, user.ID)
		if err != nil {
			return fmt.Errorf("find access keys: %w", err)
		}
		keys = make([]*AccessKey, len(found))
		for i, k := range found {
			keys[i] = withoutSecret(k)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return keys, nil
}

// findOwnAccessKey returns the key ak if it belongs to userID; a key of
// another user is not found, like a key that does not exist.
func findOwnAccessKey(ctx context.Context, tx Tx, userID, ak string) (*AccessKey, error) {
	key, err := tx.FindAccessKey(ctx, ak)
	if err != nil {
		return nil, fmt.Errorf("find access key: %w", err)
	} else if key.UserID != userID {
		return nil, NotFoundf("Access key %q not found.", ak)
	}
	return key, nil
}

// SetAccessKeyEnabled enables or disables one of a user's access keys.
func (s *Service) SetAccessKeyEnabled(ctx context.Context, userID, ak string, enabled bool) error {
	_, err := s.UpdateAccessKey(ctx, userID, ak, AccessKeyUpdate{Enabled: &enabled})
	return err
}

// AccessKeyUpdate names the fields of an access key to change; nil leaves
// a field as it is.
type AccessKeyUpdate struct {
	Enabled     *bool
	Description *string
}

// UpdateAccessKey changes one of a user's access keys and returns it,
// without its secret.
func (s *Service) UpdateAccessKey(ctx context.Context, userID, ak string, u AccessKeyUpdate) (*AccessKey, error) {
	return s.updateAccessKey(ctx, u, func(tx Tx) (*AccessKey, error) {
		return findOwnAccessKey(ctx, tx, userID, ak)
	})
}

// UpdateAccessKeyFor is UpdateAccessKey on behalf of a customer, for a
// key within the reach of accessKeyFor.
func (s *Service) UpdateAccessKeyFor(ctx context.Context, p *Principal, ak string, u AccessKeyUpdate) (*AccessKey, error) {
	return s.updateAccessKey(ctx, u, func(tx Tx) (*AccessKey, error) {
		return accessKeyFor(ctx, tx, p, ak)
	})
}

// updateAccessKey checks u and applies it to the key that find returns.
func (s *Service) updateAccessKey(ctx context.Context, u AccessKeyUpdate, find func(tx Tx) (*AccessKey, error)) (*AccessKey, error) {
	if u.Description != nil {
		if err := checkAccessKeyDescription(*u.Description); err != nil {
			return nil, err
		}
	}
	var key *AccessKey
	err := s.store.Write(ctx, func(tx Tx) error {
		var err error
		if key, err = find(tx); err != nil {
			return err
		}
		if u.Enabled != nil {
			key.Enabled = *u.Enabled
		}
		if u.Description != nil {
			key.Description = *u.Description
		}
		if err := tx.UpdateAccessKey(ctx, key); err != nil {
			return fmt.Errorf("update access key: %w", err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return withoutSecret(key), nil
}

// DeleteAccessKey deletes one of a user's access keys.
func (s *Service) DeleteAccessKey(ctx context.Context, userID, ak string) error {
	return s.deleteAccessKey(ctx, func(tx Tx) (*AccessKey, error) {
		return findOwnAccessKey(ctx, tx, userID, ak)
	})
}

// DeleteAccessKeyFor is DeleteAccessKey on behalf of a customer, for a key
// within the reach of accessKeyFor.
func (s *Service) DeleteAccessKeyFor(ctx context.Context, p *Principal, ak string) error {
	return s.deleteAccessKey(ctx, func(tx Tx) (*AccessKey, error) {
		return accessKeyFor(ctx, tx, p, ak)
	})
}

// deleteAccessKey deletes the key that find returns.
func (s *Service) deleteAccessKey(ctx context.Context, find func(tx Tx) (*AccessKey, error)) error {
	return s.store.Write(ctx, func(tx Tx) error {
		key, err := find(tx)
		if err != nil {
			return err
		}
		if err := tx.DeleteAccessKey(ctx, key.UserID, key.ID); err != nil {
			return fmt.Errorf("delete access key: %w", err)
		}
		return nil
	})
}

// GetAccessKeyFor returns a key within the reach of accessKeyFor, without
// its secret.
func (s *Service) GetAccessKeyFor(ctx context.Context, p *Principal, ak string) (*AccessKey, error) {
	var key *AccessKey
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		key, err = accessKeyFor(ctx, tx, p, ak)
		return err
	})
	if err != nil {
		return nil, err
	}
	return withoutSecret(key), nil
}

// The reach of a customer over permanent access keys (Huawei IAM
// OS-CREDENTIAL): a user manages their own keys; the account's master user
// those of every user of the account. A sub-user naming another user is
// refused; a user or key outside the reach is not found, so nothing tells
// users or keys of other accounts apart from ones that do not exist.

// accessKeyUser returns the user whose keys p may manage: userID, or p's
// own user when userID is empty.
func accessKeyUser(ctx context.Context, tx Tx, p *Principal, userID string) (*User, error) {
	if p == nil || p.Realm != RealmCustomer {
		return nil, Errorf(EFORBIDDEN, "Only customers have access keys.")
	}
	if userID == "" || userID == p.UserID {
		user, err := tx.FindUserByID(ctx, p.UserID)
		if err != nil {
			return nil, fmt.Errorf("find user: %w", err)
		}
		return user, nil
	}
	if !p.IsMaster {
		return nil, Errorf(EFORBIDDEN, "You can manage your own access keys only; the account's master user can manage those of every user.")
	}
	user, err := tx.FindUserByID(ctx, userID)
	if ErrorCode(err) == ENOTFOUND || (err == nil && user.AccountID != p.AccountID) {
		return nil, NotFoundf("The user does not exist.")
	} else if err != nil {
		return nil, fmt.Errorf("find user: %w", err)
	}
	return user, nil
}

// accessKeyFor returns the key ak if p may manage it.
func accessKeyFor(ctx context.Context, tx Tx, p *Principal, ak string) (*AccessKey, error) {
	notFound := NotFoundf("The access key does not exist.")
	if p == nil || p.Realm != RealmCustomer {
		return nil, notFound
	}
	key, err := tx.FindAccessKey(ctx, ak)
	if ErrorCode(err) == ENOTFOUND {
		return nil, notFound
	} else if err != nil {
		return nil, fmt.Errorf("find access key: %w", err)
	}
	if key.AccountID != p.AccountID || (!p.IsMaster && key.UserID != p.UserID) {
		return nil, notFound
	}
	return key, nil
}

// AccessKeySecret returns an enabled key of an enabled user and its
// plaintext secret, for checking a request signature. Unknown keys,
// disabled keys and keys of disabled users are all EUNAUTHORIZED with the
// same message.
func (s *Service) AccessKeySecret(ctx context.Context, ak string) (*AccessKey, []byte, error) {
	var key *AccessKey
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if key, err = tx.FindAccessKey(ctx, ak); ErrorCode(err) == ENOTFOUND {
			return errInvalidAccessKey()
		} else if err != nil {
			return fmt.Errorf("find access key: %w", err)
		} else if !key.Enabled {
			return errInvalidAccessKey()
		}
		user, err := tx.FindUserByID(ctx, key.UserID)
		if ErrorCode(err) == ENOTFOUND {
			return errInvalidAccessKey()
		} else if err != nil {
			return fmt.Errorf("find user: %w", err)
		} else if !user.Enabled {
			return errInvalidAccessKey()
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	secret, err := s.Sealer.Open(key.SecretCiphertext, []byte(key.ID))
	if err != nil {
		return nil, nil, fmt.Errorf("open secret key: %w", err)
	}
	return withoutSecret(key), secret, nil
}

func errInvalidAccessKey() error {
	return Errorf(EUNAUTHORIZED, "The access key is invalid or disabled.")
}

// LoginCustomer checks a user's password and returns the principal and the
// user's current epoch, for a token.
func (s *Service) LoginCustomer(ctx context.Context, domainName, userName, password string) (*Principal, int64, error) {
	var account *Account
	var user *User
	var groups []string
	err := s.login(ctx, RealmCustomer, domainName, userName, password, func(tx Tx) (string, bool, error) {
		var err error
		if account, user, err = findAccountAndUser(ctx, tx, domainName, userName); err != nil {
			return "", false, err
		}
		if groups, err = tx.FindGroupIDsOfUser(ctx, user.ID); err != nil {
			return "", false, fmt.Errorf("find groups of user: %w", err)
		}
		return user.PasswordHash, user.Enabled, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return customerPrincipal(account, user, groups), user.Epoch, nil
}

func customerPrincipal(account *Account, user *User, groups []string) *Principal {
	return &Principal{
		Realm:       RealmCustomer,
		AccountID:   account.ID,
		AccountName: account.Name,
		UserID:      user.ID,
		UserName:    user.Name,
		IsMaster:    user.IsMaster,
		Groups:      groups,
	}
}

func engineerPrincipal(e *Engineer) *Principal {
	return &Principal{Realm: RealmEngineer, UserID: e.ID, UserName: e.Name}
}

// LoginEngineer checks an engineer's password, like LoginCustomer.
func (s *Service) LoginEngineer(ctx context.Context, name, password string) (*Principal, int64, error) {
	var engineer *Engineer
	err := s.login(ctx, RealmEngineer, "", name, password, func(tx Tx) (string, bool, error) {
		var err error
		if engineer, err = tx.FindEngineerByName(ctx, name); err != nil {
			return "", false, fmt.Errorf("find engineer: %w", err)
		}
		return engineer.PasswordHash, engineer.Enabled, nil
	})
	if err != nil {
		return nil, 0, err
	}
	return engineerPrincipal(engineer), engineer.Epoch, nil
}

// login checks password against the hash that find reads. Every failure -
// unknown account, unknown user or engineer, wrong password, disabled - is
// the same EUNAUTHORIZED, and each costs one password hash comparison, so
// neither the answer nor its timing tells which names exist. Failures are
// counted by s.Logins per name (as given, existing or not) and per client
// address (ClientAddrFromContext); past the allowance an attempt is
// refused with ELIMIT (ReasonLoginThrottled) before any lookup.
func (s *Service) login(ctx context.Context, realm Realm, domainName, userName, password string, find func(tx Tx) (hash string, enabled bool, err error)) error {
	if s.Logins == nil {
		return s.checkPassword(ctx, password, find)
	}
	keys := s.Logins.keys(realm, domainName, userName, ClientAddrFromContext(ctx))
	now := s.Now()
	if wait := s.Logins.wait(keys, now); wait > 0 {
		return errLoginThrottled(wait)
	}
	err := s.checkPassword(ctx, password, find)
	switch {
	case err == nil:
		s.Logins.succeed(keys)
	case ErrorCode(err) == EUNAUTHORIZED:
		s.Logins.fail(keys, now)
	}
	return err
}

// checkPassword is login without the limiter.
func (s *Service) checkPassword(ctx context.Context, password string, find func(tx Tx) (hash string, enabled bool, err error)) error {
	var hash string
	var enabled bool
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		hash, enabled, err = find(tx)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		VerifyPassword(dummyPasswordHash(s.Config.PasswordIterations), password)
		return errLoginFailed()
	} else if err != nil {
		return err
	}
	// The hash is compared outside the transaction: it is slow by design.
	if !VerifyPassword(hash, password) || !enabled {
		return errLoginFailed()
	}
	return nil
}

// ResolvePrincipal returns the current principal of a user or engineer
// named by a token or an access key, with their current groups and epoch.
// A deleted or disabled user or engineer is EUNAUTHORIZED.
func (s *Service) ResolvePrincipal(ctx context.Context, realm Realm, userID string) (*Principal, int64, error) {
	var p *Principal
	var epoch int64
	err := s.store.Read(ctx, func(tx Tx) error {
		switch realm {
		case RealmCustomer:
			user, err := tx.FindUserByID(ctx, userID)
			if ErrorCode(err) == ENOTFOUND {
				return errPrincipalGone()
			} else if err != nil {
				return fmt.Errorf("find user: %w", err)
			} else if !user.Enabled {
				return errPrincipalGone()
			}
			account, err := tx.FindAccountByID(ctx, user.AccountID)
			if ErrorCode(err) == ENOTFOUND {
				return errPrincipalGone()
			} else if err != nil {
				return fmt.Errorf("find account: %w", err)
			}
			groups, err := tx.FindGroupIDsOfUser(ctx, user.ID)
			if err != nil {
				return fmt.Errorf("find groups of user: %w", err)
			}
			p, epoch = customerPrincipal(account, user, groups), user.Epoch
		case RealmEngineer:
			engineer, err := tx.FindEngineerByID(ctx, userID)
			if ErrorCode(err) == ENOTFOUND {
				return errPrincipalGone()
			} else if err != nil {
				return fmt.Errorf("find engineer: %w", err)
			} else if !engineer.Enabled {
				return errPrincipalGone()
			}
			p, epoch = engineerPrincipal(engineer), engineer.Epoch
		default:
			return errPrincipalGone()
		}
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return p, epoch, nil
}

// LoginRef names the user of a customer login by ids, names or both, as
// IAM's password login allows.
type LoginRef struct {
	AccountID   string
	AccountName string
	UserID      string
	UserName    string
}

// LoginNames turns a login by ids into the account and user names that
// LoginCustomer takes. Names given beside ids must match them. An id that
// matches nothing, or a mismatch, yields empty names and no error, so that
// the login that follows fails, and takes as long, as any other.
func (s *Service) LoginNames(ctx context.Context, ref LoginRef) (accountName, userName string, err error) {
	err = s.store.Read(ctx, func(tx Tx) error {
		var account *Account
		if ref.UserID != "" {
			user, err := tx.FindUserByID(ctx, ref.UserID)
			if err != nil {
				return err
			}
			if ref.UserName != "" && ref.UserName != user.Name {
				return NotFoundf("no such user")
			}
			if account, err = tx.FindAccountByID(ctx, user.AccountID); err != nil {
				return err
			}
			userName = user.Name
		} else {
			if account, err = tx.FindAccountByID(ctx, ref.AccountID); err != nil {
				return err
			}
			userName = ref.UserName
		}
		if (ref.AccountID != "" && ref.AccountID != account.ID) || (ref.AccountName != "" && ref.AccountName != account.Name) {
			return NotFoundf("no such user")
		}
		accountName = account.Name
		return nil
	})
	if ErrorCode(err) == ENOTFOUND {
		return "", "", nil
	}
	return accountName, userName, err
}

// AccountNames returns the names of the accounts with the given ids, for
// an engineer: names are public to engineers, who work every account's
// queue. One query answers any number of ids; empty ids are skipped, and
// an id of no account is an error, since callers pass ids of stored rows.
func (s *Service) AccountNames(ctx context.Context, p *Principal, ids []string) (map[string]string, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	var names map[string]string
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		if names, err = tx.FindAccountNames(ctx, ids); err != nil {
			return fmt.Errorf("find account names: %w", err)
		}
		for _, id := range ids {
			if _, ok := names[id]; !ok && id != "" {
				return fmt.Errorf("find account %s: %w", id, NotFoundf("Account not found."))
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return names, nil
}

// EngineerAccount returns the account named nameOrID, for an engineer:
// by name first, then by id.
func (s *Service) EngineerAccount(ctx context.Context, p *Principal, nameOrID string) (*Account, error) {
	if err := requireEngineer(p); err != nil {
		return nil, err
	}
	var account *Account
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		account, err = tx.FindAccountByName(ctx, nameOrID)
		if ErrorCode(err) == ENOTFOUND {
			account, err = tx.FindAccountByID(ctx, nameOrID)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return account, nil
}

// MyGroups returns the groups p belongs to, for a group switch: a group
// deleted since p's groups were read is left out.
func (s *Service) MyGroups(ctx context.Context, p *Principal) ([]*Group, error) {
	var out []*Group
	if p == nil || p.Realm != RealmCustomer || len(p.Groups) == 0 {
		return nil, nil
	}
	err := s.store.Read(ctx, func(tx Tx) error {
		out = out[:0]
		for _, id := range p.Groups {
			g, err := tx.FindGroupByID(ctx, p.AccountID, id)
			if ErrorCode(err) == ENOTFOUND {
				continue
			} else if err != nil {
				return fmt.Errorf("find group: %w", err)
			}
			out = append(out, g)
		}
		return nil
	})
	return out, err
}
