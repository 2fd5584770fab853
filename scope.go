package casebook

import "context"

// ScopeFor returns what a customer may see for a request that names groupID
// ("" when the request has no group_id). Naming a group the caller is not a
// member of is refused with the same error whether or not the group exists,
// so group ids of other accounts reveal nothing.
func (s *Service) ScopeFor(ctx context.Context, p *Principal, groupID string) (Scope, error) {
	if p == nil || p.Realm != RealmCustomer || p.AccountID == "" {
		return Scope{}, Errorf(EFORBIDDEN, "Only customers can do this.").WithReason(ReasonNoPermission)
	}
	if err := checkLen("group_id", groupID, MaxGroupIDLength); err != nil {
		return Scope{}, err
	}
	scope := Scope{AccountID: p.AccountID, All: p.IsMaster, UserID: p.UserID}
	if groupID == "" {
		return scope, nil
	}
	if !p.InGroup(groupID) && !p.IsMaster {
		return Scope{}, Errorf(EFORBIDDEN, "No operation permission: you are not a member of group %q.", groupID).WithReason(ReasonNoPermission)
	}
	if p.IsMaster && !p.InGroup(groupID) {
		// The master user sees the whole account anyway; the group must
		// still be one of the account's, so a typo is not silently ignored.
		err := s.store.Read(ctx, func(tx Tx) error {
			_, err := tx.FindGroupByID(ctx, p.AccountID, groupID)
			return err
		})
		if ErrorCode(err) == ENOTFOUND {
			return Scope{}, Errorf(EFORBIDDEN, "No operation permission: you are not a member of group %q.", groupID).WithReason(ReasonNoPermission)
		} else if err != nil {
			return Scope{}, err
		}
		return scope, nil
	}
	scope.GroupID = groupID
	return scope, nil
}
