package casebook

import (
	"context"
	"fmt"
	"net/mail"
	"strings"
)

// CcEmails are a customer user's carbon-copy e-mail addresses
// (ListCaseCcEmails): the operator sets them, and the mails about the
// tickets the user created go to them as well as to the remind_mail.
type CcEmails struct {
	AccountID string
	UserID    string
	Emails    []string // in the order they were set; empty, not nil, when none
}

// CcEmails returns the caller's own carbon-copy addresses.
func (s *Service) CcEmails(ctx context.Context, p *Principal) (*CcEmails, error) {
	if p == nil || p.Realm != RealmCustomer || p.AccountID == "" || p.UserID == "" {
		return nil, Errorf(EFORBIDDEN, "Only customers can do this.").WithReason(ReasonNoPermission)
	}
	out := &CcEmails{AccountID: p.AccountID, UserID: p.UserID}
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		out.Emails, err = tx.FindCcEmails(ctx, p.AccountID, p.UserID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("find cc emails: %w", err)
	}
	return out, nil
}

// SetUserCcEmails replaces the carbon-copy addresses of the user userName
// of the account accountName (the operator's `casebook user cc-email`);
// none clears them. Each address is a bare addr-spec of at most
// MaxCcEmailLength characters, none repeated, and there are at most as
// many as the configured create_case_ccemail_max_count.
func (s *Service) SetUserCcEmails(ctx context.Context, accountName, userName string, emails []string) error {
	limits, err := s.ListCaseLimits(ctx)
	if err != nil {
		return err
	}
	if err := CheckCount("cc_email", len(emails), 0, limits.CcEmailMaxCount); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, e := range emails {
		if err := validateCcEmail(e); err != nil {
			return err
		}
		key := strings.ToLower(e)
		if seen[key] {
			return Invalidf("cc_email", "cc_email %q is given twice.", e)
		}
		seen[key] = true
	}
	return s.store.Write(ctx, func(tx Tx) error {
		account, user, err := findAccountAndUser(ctx, tx, accountName, userName)
		if err != nil {
			return err
		}
		if err := tx.SetCcEmails(ctx, account.ID, user.ID, emails); err != nil {
			return fmt.Errorf("set cc emails: %w", err)
		}
		return nil
	})
}

// validateCcEmail returns an EINVALID error unless e is one bare e-mail
// address (local@domain, no display name, no angle brackets).
func validateCcEmail(e string) error { return validateEmail("cc_email", e) }

// validateEmail is validateCcEmail for the parameter field: the carbon-copy
// addresses and the engineers' own addresses follow one rule.
func validateEmail(field, e string) error {
	if err := CheckLength(field, e, 1, MaxCcEmailLength); err != nil {
		return err
	}
	a, err := mail.ParseAddress(e)
	if err != nil || a.Name != "" || a.Address != e || !strings.Contains(e[strings.LastIndexByte(e, '@')+1:], ".") {
		return Invalidf(field, "%s %q is not an e-mail address.", field, e)
	}
	return nil
}
