package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// benchUsersFile is what seed writes and run reads: the logins of a seeded
// dataset. It holds passwords and secret keys of benchmark users, so it is
// written 0600 and never printed.
type benchUsersFile struct {
	CreatedAt       time.Time   `json:"created_at"`
	Database        string      `json:"database"` // without credentials
	Password        string      `json:"password"` // of every seeded user and engineer
	Accounts        int         `json:"accounts"`
	UsersPerAccount int         `json:"users_per_account"`
	Tickets         int         `json:"tickets"`
	Authorizations  int         `json:"authorizations"`
	Users           []benchUser `json:"users"`
	Engineer        benchUser   `json:"engineer"`
}

// benchUser is one login: a customer user (with the account it logs into
// and an AK/SK pair) or the engineer.
type benchUser struct {
	AccountName string `json:"account_name,omitempty"`
	AccountID   string `json:"account_id,omitempty"`
	GroupID     string `json:"group_id,omitempty"` // the account's group, if the user is a member
	Name        string `json:"name"`
	ID          string `json:"id"`
	Password    string `json:"password"`
	Master      bool   `json:"master,omitempty"`
	AccessKey   string `json:"access_key,omitempty"`
	SecretKey   string `json:"secret_key,omitempty"`
}

func writeBenchUsers(path string, f *benchUsersFile) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("encode users file: %w", err)
	}
	if err := os.WriteFile(path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("write users file: %w", err)
	}
	return nil
}

func readBenchUsers(path string) (*benchUsersFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read users file: %w", err)
	}
	var f benchUsersFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("users file %s: %w", path, err)
	}
	if len(f.Users) == 0 {
		return nil, fmt.Errorf("users file %s lists no users; write one with casebook-bench seed", path)
	}
	return &f, nil
}
