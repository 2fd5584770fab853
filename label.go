package casebook

import "time"

// Label is a customer's own tag for tickets: a name and a colour. Labels
// are personal: each belongs to the user who created it, only that user
// sees, attaches, detaches, renames or deletes it, and only that user's
// labels show on a ticket or filter a list for them (see
// docs/compatibility.md "Labels").
type Label struct {
	ID        int64 // int32 on the wire
	AccountID string
	OwnerID   string // the user who created it
	Name      string
	Color     string // #RRGGBB
	CreatedAt time.Time
}

// LabelFilter selects one user's labels, oldest first.
type LabelFilter struct {
	AccountID string
	OwnerID   string
	ID        int64  // 0: any
	Name      string // substring of the name; "": any
	Offset    int
	Limit     int
}

// ValidLabelColor reports whether c is a colour of the form #RRGGBB.
func ValidLabelColor(c string) bool {
	if len(c) != 7 || c[0] != '#' {
		return false
	}
	for i := 1; i < 7; i++ {
		switch ch := c[i]; {
		case ch >= '0' && ch <= '9', ch >= 'a' && ch <= 'f', ch >= 'A' && ch <= 'F':
		default:
			return false
		}
	}
	return true
}
