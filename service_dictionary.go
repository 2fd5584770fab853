package casebook

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
)

// The configuration dictionaries of the ticket form (ListSeverities, ...):
// the same for every customer, so the reads take no principal. They are
// read from the store on every call, so every replica answers the same
// the moment an import commits.

// Dictionaries returns the operator's dictionary set, or the shipped
// defaults when none has been imported. The set is shared: read it, do not
// modify it.
func (s *Service) Dictionaries(ctx context.Context) (*Dictionaries, error) {
	var d *Dictionaries
	err := s.store.Read(ctx, func(tx Tx) error {
		var err error
		d, err = findDictionaries(ctx, tx)
		return err
	})
	return d, err
}

// findDictionaries reads the stored set. The document is read on every
// call (so replicas agree), but parsed only when it differs from the last
// one: parsing and validating costs far more than the read. The set
// returned is shared and must not be modified.
func findDictionaries(ctx context.Context, tx Tx) (*Dictionaries, error) {
	doc, err := tx.FindDictionaries(ctx)
	if ErrorCode(err) == ENOTFOUND {
		return defaultDictionaries, nil
	} else if err != nil {
		return nil, fmt.Errorf("find dictionaries: %w", err)
	}
	parsedDictionaries.Lock()
	defer parsedDictionaries.Unlock()
	if parsedDictionaries.d != nil && bytes.Equal(parsedDictionaries.doc, doc) {
		return parsedDictionaries.d, nil
	}
	d, err := ParseDictionaries(doc)
	if err != nil {
		return nil, fmt.Errorf("stored dictionaries: %w", err)
	}
	parsedDictionaries.doc, parsedDictionaries.d = doc, d
	return d, nil
}

// defaultDictionaries is the shipped set, shared read-only.
var defaultDictionaries = DefaultDictionaries()

// parsedDictionaries is the last stored document parsed, and its set.
var parsedDictionaries struct {
	sync.Mutex
	doc []byte
	d   *Dictionaries
}

// ExportDictionaries returns the dictionary set in its file form.
func (s *Service) ExportDictionaries(ctx context.Context) ([]byte, error) {
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	return d.MarshalIndent()
}

// ImportDictionaries validates a dictionary file and replaces the set with
// it in one transaction; a file that does not validate changes nothing.
func (s *Service) ImportDictionaries(ctx context.Context, file []byte) (*Dictionaries, error) {
	d, err := ParseDictionaries(file)
	if err != nil {
		return nil, err
	}
	doc, err := d.MarshalIndent()
	if err != nil {
		return nil, err
	}
	now := s.nowMS()
	err = s.store.Write(ctx, func(tx Tx) error { return tx.SaveDictionaries(ctx, doc, now) })
	if err != nil {
		return nil, err
	}
	return d, nil
}

// checkProductCategory refuses an unknown product category; "" is none.
func (d *Dictionaries) checkProductCategory(id string) error {
	if id != "" && !hasProduct(d.ProductCategories, id) {
		return Invalidf("product_category_id", "Unknown product_category_id %q.", id)
	}
	return nil
}

// checkBusinessType refuses a missing or unknown problem type.
func (d *Dictionaries) checkBusinessType(id string) (ProblemType, error) {
	if err := CheckLength("business_type_id", id, 1, MaxBusinessTypeIDLength); err != nil {
		return ProblemType{}, err
	}
	p, ok := d.ProblemType(id)
	if !ok {
		return ProblemType{}, Invalidf("business_type_id", "Unknown business_type_id %q.", id)
	}
	return p, nil
}

// ListSeverities returns the severities a ticket of the given product
// category and problem type may have. Both ids are required (the OSM
// documentation's query parameters) and must exist.
func (s *Service) ListSeverities(ctx context.Context, productCategoryID, businessTypeID string) ([]DictItem, error) {
	if err := CheckLength("product_category_id", productCategoryID, 1, MaxProductCategoryIDLength); err != nil {
		return nil, err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := d.checkBusinessType(businessTypeID); err != nil {
		return nil, err
	} else if err := d.checkProductCategory(productCategoryID); err != nil {
		return nil, err
	}
	return d.Severities, nil
}

// ListProblemTypes returns the problem types; productCategoryID, when
// given, must exist (every problem type applies to every product).
func (s *Service) ListProblemTypes(ctx context.Context, productCategoryID string) ([]ProblemType, error) {
	if err := CheckLength("product_category_id", productCategoryID, 0, MaxProductCategoryIDLength); err != nil {
		return nil, err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	if err := d.checkProductCategory(productCategoryID); err != nil {
		return nil, err
	}
	return d.ProblemTypes, nil
}

// dictionaryPart returns one part of the dictionaries in effect.
func dictionaryPart[T any](ctx context.Context, s *Service, part func(*Dictionaries) T) (T, error) {
	d, err := s.Dictionaries(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return part(d), nil
}

// ListCaseCategories returns the ticket categories (incident sub types).
func (s *Service) ListCaseCategories(ctx context.Context) ([]DictItem, error) {
	return dictionaryPart(ctx, s, func(d *Dictionaries) []DictItem { return d.CaseCategories })
}

// ListProductCategories returns the products whose name (in either
// language) or acronym contains name, case-insensitively; "" is all.
func (s *Service) ListProductCategories(ctx context.Context, name string) ([]ProductCategory, error) {
	if err := CheckLength("product_category_name", name, 0, MaxDictNameLength); err != nil {
		return nil, err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	name = strings.ToLower(name)
	var out []ProductCategory
	for _, p := range d.ProductCategories {
		if name == "" || strings.Contains(strings.ToLower(p.Name.ZhCN), name) ||
			strings.Contains(strings.ToLower(p.Name.EnUS), name) || strings.Contains(strings.ToLower(p.Acronym), name) {
			out = append(out, p)
		}
	}
	return out, nil
}

// ListRegions returns the regions a ticket may name.
func (s *Service) ListRegions(ctx context.Context) ([]DictItem, error) {
	return dictionaryPart(ctx, s, func(d *Dictionaries) []DictItem { return d.Regions })
}

// ListAreaCodes returns the telephone area codes of reminder numbers.
func (s *Service) ListAreaCodes(ctx context.Context) ([]AreaCode, error) {
	return dictionaryPart(ctx, s, func(d *Dictionaries) []AreaCode { return d.AreaCodes })
}

// ListSatisfactionDimensions returns what a finished ticket is rated on.
func (s *Service) ListSatisfactionDimensions(ctx context.Context) ([]SatisfactionDimension, error) {
	return dictionaryPart(ctx, s, func(d *Dictionaries) []SatisfactionDimension { return d.SatisfactionDimensions })
}

// ListCaseTemplates returns the description templates of a problem type,
// which is required and must exist.
func (s *Service) ListCaseTemplates(ctx context.Context, businessTypeID string) ([]CaseTemplate, error) {
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := d.checkBusinessType(businessTypeID); err != nil {
		return nil, err
	}
	var out []CaseTemplate
	for _, t := range d.CaseTemplates {
		if t.BusinessTypeID == businessTypeID {
			out = append(out, t)
		}
	}
	return out, nil
}

// ShowConfiguration returns one configuration value; ENOTFOUND for a key
// that is not configured.
func (s *Service) ShowConfiguration(ctx context.Context, key string) (string, error) {
	if err := CheckLength("config_key", key, 1, MaxConfigKeyLength); err != nil {
		return "", err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return "", err
	}
	v, ok := d.Configuration[key]
	if !ok {
		return "", NotFoundf("Configuration %q does not exist.", key)
	}
	return v, nil
}

// CaseLimits are the tenant limits of ListCaseLimits.
type CaseLimits struct {
	CcEmailMaxCount int
}

// ListCaseLimits returns the configured limits.
func (s *Service) ListCaseLimits(ctx context.Context) (CaseLimits, error) {
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return CaseLimits{}, err
	}
	n, err := d.configInt(ConfigCcEmailMaxCount, MaxCcEmailCount)
	return CaseLimits{CcEmailMaxCount: n}, err
}

// CaseQuota is ListCaseQuotas: how many open tickets the caller may have,
// and how many more they may open now.
type CaseQuota struct {
	Total  int
	Unused int
}

// ListCaseQuotas returns the caller's open-ticket quota for a problem type
// (required, must exist) and product category (optional, must exist):
// the configured quota per user, less the caller's own open tickets.
func (s *Service) ListCaseQuotas(ctx context.Context, p *Principal, businessTypeID, productCategoryID string) (CaseQuota, error) {
	scope, err := s.ScopeFor(ctx, p, "")
	if err != nil {
		return CaseQuota{}, err
	}
	if err := CheckLength("product_category_id", productCategoryID, 0, MaxProductCategoryIDLength); err != nil {
		return CaseQuota{}, err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return CaseQuota{}, err
	}
	if _, err := d.checkBusinessType(businessTypeID); err != nil {
		return CaseQuota{}, err
	} else if err := d.checkProductCategory(productCategoryID); err != nil {
		return CaseQuota{}, err
	}
	quota, err := d.configInt(ConfigOpenCaseQuota, MaxOpenCaseQuota)
	if err != nil {
		return CaseQuota{}, err
	}
	// The caller's own tickets, whatever their role: a quota is per user.
	scope.All, scope.GroupID, scope.UserID = false, "", p.UserID
	_, open, err := s.findCases(ctx, CaseFilter{Scope: scope, Statuses: openStatuses, Limit: 1})
	if err != nil {
		return CaseQuota{}, err
	}
	return CaseQuota{Total: quota, Unused: max(quota-open, 0)}, nil
}

// openStatuses are the statuses CaseIsOpen accepts.
var openStatuses = []int{CaseStatusPendingAcceptance, CaseStatusProcessing, CaseStatusPendingConfirm, CaseStatusPendingFeedback}

// checkIDs checks the dictionary ids of a ticket submission against d:
// the problem type (a fault report must name a region), and, when given,
// the ticket category, product category, region and severity.
func (in *CaseInput) checkIDs(d *Dictionaries) error {
	p, err := d.checkBusinessType(in.BusinessTypeID)
	if err != nil {
		return err
	}
	if in.SeverityID != "" && !hasItem(d.Severities, in.SeverityID) {
		return Invalidf("severity_id", "Severity Id does not exist.").WithReason(ReasonSeverityNotFound)
	}
	if p.CaseType == BusinessCaseFault && in.RegionID == "" {
		return Invalidf("region_id", "region_id is required for a fault report.")
	}
	if in.IncidentSubTypeID != "" && !hasItem(d.CaseCategories, in.IncidentSubTypeID) {
		return Invalidf("incident_sub_type_id", "Unknown incident_sub_type_id %q.", in.IncidentSubTypeID)
	}
	if err := d.checkProductCategory(in.ProductCategoryID); err != nil {
		return err
	}
	if in.RegionID != "" && !hasItem(d.Regions, in.RegionID) {
		return Invalidf("region_id", "Unknown region_id %q.", in.RegionID)
	}
	for _, p := range d.ExtendsParamsFor(in.BusinessTypeID) {
		v, ok := in.ExtendsMap[p.Key]
		if p.Required && (!ok || v == "") {
			return Invalidf("extends_map", "extends_map.%s is required for this problem type.", p.Key)
		} else if err := checkLen("extends_map."+p.Key, v, p.MaxLength); err != nil {
			return err
		}
	}
	return nil
}

// ListExtendsParams returns the extends_map entries CreateCases knows for a
// problem type (required, must exist); the ticket category and product,
// when given, must exist and narrow nothing.
func (s *Service) ListExtendsParams(ctx context.Context, businessTypeID, incidentSubTypeID, productCategoryID string) ([]ExtendsParam, error) {
	if err := CheckLength("incident_sub_type_id", incidentSubTypeID, 0, MaxIncidentSubTypeIDLength); err != nil {
		return nil, err
	} else if err := CheckLength("product_category_id", productCategoryID, 0, MaxProductCategoryIDLength); err != nil {
		return nil, err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := d.checkBusinessType(businessTypeID); err != nil {
		return nil, err
	} else if err := d.checkProductCategory(productCategoryID); err != nil {
		return nil, err
	} else if incidentSubTypeID != "" && !hasItem(d.CaseCategories, incidentSubTypeID) {
		return nil, Invalidf("incident_sub_type_id", "Unknown incident_sub_type_id %q.", incidentSubTypeID)
	}
	return d.ExtendsParamsFor(businessTypeID), nil
}

// Score is one satisfaction score of a ticket: a dimension and its value.
type Score struct {
	DimensionID int
	Value       int
	// Dimension is the dimension as configured now, filled on reads; nil
	// if the operator has since removed it.
	Dimension *SatisfactionDimension
}

// ScoreInput is one score as a customer submits it. The optional fields
// repeat what ListSatisfactionDimensions says about the dimension; when
// given they must agree with it, so nothing submitted is dropped unread.
type ScoreInput struct {
	DimensionID  int
	Value        int
	EchoValue    *int   // "value": the score again
	Name         string // "satisfaction_name", in either language
	PerValue     *int   // the dimension's highest score
	CategoryID   string
	CategoryName string // in either language
}

// checkScores validates a list of scores against the dimensions of d.
func checkScores(d *Dictionaries, in []ScoreInput) ([]Score, error) {
	if err := CheckCount("incident_satisfaction_list", len(in), 1, MaxSatisfactions); err != nil {
		return nil, err
	}
	seen := map[int]bool{}
	out := make([]Score, 0, len(in))
	for i, sc := range in {
		field := fmt.Sprintf("incident_satisfaction_list[%d]", i)
		dim, ok := d.SatisfactionDimension(sc.DimensionID)
		if !ok {
			return nil, Invalidf(field, "satisfaction_id %d is not a satisfaction dimension.", sc.DimensionID)
		} else if seen[sc.DimensionID] {
			return nil, Invalidf(field, "satisfaction_id %d is rated twice.", sc.DimensionID)
		}
		seen[sc.DimensionID] = true
		if err := CheckRange(field+".satisfaction_value", int64(sc.Value), 0, int64(dim.MaxValue)); err != nil {
			return nil, err
		}
		switch {
		case sc.EchoValue != nil && *sc.EchoValue != sc.Value:
			return nil, Invalidf(field, "%s.value %d differs from satisfaction_value %d.", field, *sc.EchoValue, sc.Value)
		case sc.Name != "" && sc.Name != dim.Name.ZhCN && sc.Name != dim.Name.EnUS:
			return nil, Invalidf(field, "%s.satisfaction_name %q is not the name of dimension %d.", field, sc.Name, dim.ID)
		case sc.PerValue != nil && *sc.PerValue != dim.MaxValue:
			return nil, Invalidf(field, "%s.per_value must be %d, the highest score of dimension %d.", field, dim.MaxValue, dim.ID)
		case sc.CategoryID != "" && sc.CategoryID != dim.CategoryID:
			return nil, Invalidf(field, "%s.sat_category_id %q is not the category of dimension %d.", field, sc.CategoryID, dim.ID)
		case sc.CategoryName != "" && sc.CategoryName != dim.CategoryName.ZhCN && sc.CategoryName != dim.CategoryName.EnUS:
			return nil, Invalidf(field, "%s.sat_category_name %q is not the category of dimension %d.", field, sc.CategoryName, dim.ID)
		}
		out = append(out, Score{DimensionID: sc.DimensionID, Value: sc.Value})
	}
	return out, nil
}

// RateCase stores the satisfaction scores of a completed ticket (CreateScores),
// once: a ticket already rated, or not completed, is ECONFLICT. A judgement,
// when given, replaces the ticket's.
func (s *Service) RateCase(ctx context.Context, p *Principal, groupID, caseID, judgement string, in []ScoreInput) error {
	scope, err := s.ScopeFor(ctx, p, groupID)
	if err != nil {
		return err
	}
	if err := checkLen("judgement", judgement, MaxJudgementLength); err != nil {
		return err
	}
	d, err := s.Dictionaries(ctx)
	if err != nil {
		return err
	}
	scores, err := checkScores(d, in)
	if err != nil {
		return err
	}
	return s.store.Write(ctx, func(tx Tx) error {
		c, err := tx.FindCase(ctx, scope, caseID)
		if err != nil {
			return err
		}
		if c.Status != CaseStatusCompleted {
			return Errorf(ECONFLICT, "Only a completed case can be rated (status %d).", c.Status)
		}
		now := s.nowMS()
		if err := tx.CreateScores(ctx, c.AccountID, c.ID, scores, now); err != nil {
			return err
		}
		logCase(tx, CaseEventEvaluated, customerActor(p), c.AccountID, c.ID, "")
		if judgement != "" {
			c.Judgement = judgement
			c.UpdatedAt = now
			if err := tx.UpdateCase(ctx, c); err != nil {
				return fmt.Errorf("update case: %w", err)
			}
		}
		return nil
	})
}

// findScores reads a ticket's scores with their dimensions as configured.
func findScores(ctx context.Context, tx Tx, c *Case) ([]Score, error) {
	scores, err := tx.FindScores(ctx, c.AccountID, c.ID)
	if err != nil {
		return nil, fmt.Errorf("find scores: %w", err)
	}
	if len(scores) == 0 {
		return scores, nil
	}
	d, err := findDictionaries(ctx, tx)
	if err != nil {
		return nil, err
	}
	for i := range scores {
		if dim, ok := d.SatisfactionDimension(scores[i].DimensionID); ok {
			scores[i].Dimension = &dim
		}
	}
	return scores, nil
}
