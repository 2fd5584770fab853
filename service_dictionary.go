package casebook

import "context"

// The configuration dictionaries of the ticket form (ListSeverities, ...):
// the same for every customer, so they take no principal.

// ListSeverities returns the severities a ticket of the given product
// category and problem type may have. Both ids are required (the OSM
// documentation's query parameters) and the problem type must exist.
func (s *Service) ListSeverities(ctx context.Context, productCategoryID, businessTypeID string) ([]DictEntry, error) {
	if err := CheckLength("product_category_id", productCategoryID, 1, MaxProductCategoryIDLength); err != nil {
		return nil, err
	}
	if err := CheckLength("business_type_id", businessTypeID, 1, MaxBusinessTypeIDLength); err != nil {
		return nil, err
	} else if !DictHas(DictBusinessType, businessTypeID) {
		return nil, Invalidf("business_type_id", "Unknown business_type_id %q.", businessTypeID)
	}
	return DictEntries(DictSeverity), nil
}
