package http

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/casebook/casebook"
)

// The attachment operations besides the multipart upload and the
// download: UploadJsonAccessories, DownloadImages and
// ShowDownloadAccessoryUrl. They go through the same Service calls as
// their siblings, so the size limit, type allow-list, daily quota and
// visibility are the same.

// jsonUploadRequest is AccessoryJsonFormatReq.
type jsonUploadRequest struct {
	AccessoryName *string         `json:"accessory_name"`
	AccessoryFrom *string         `json:"accessory_from"`
	UploadType    json.RawMessage `json:"upload_type"`
	AccessoryData *string         `json:"accessory_data"`
}

// handleUploadJsonAccessories is UploadJsonAccessories: the file as
// Base64 inside a JSON body. The body is capped at the Base64 size of the
// largest file plus an envelope; the content is decoded while it is
// streamed to the Service.
func (s *Server) handleUploadJsonAccessories(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, int64(base64.StdEncoding.EncodedLen(int(s.Service.Config.AccessoryMaxSize)))+uploadEnvelopeBytes)
	var req jsonUploadRequest
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(&req); err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return casebook.Invalidf("accessory_data", "The file is larger than the attachment size limit.")
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return casebook.Invalidf(te.Field, "%s must be of type %s, not %s.", te.Field, jsonTypeName(te.Type.Kind().String()), te.Value)
		}
		return malformed("The request body is not valid JSON.")
	}
	if dec.More() {
		return malformed("The request body holds more than one JSON value.")
	}
	// The SDK requires the name, the source and the data; the docs only the
	// data. A name and a source are needed to store the file, so all three
	// are required.
	switch {
	case req.AccessoryName == nil || *req.AccessoryName == "":
		return casebook.Invalidf("accessory_name", "accessory_name is required.")
	case req.AccessoryFrom == nil || *req.AccessoryFrom == "":
		return casebook.Invalidf("accessory_from", "accessory_from is required: %q or %q.", casebook.AccessoryFromIncident, casebook.AccessoryFromMessage)
	case req.AccessoryData == nil || *req.AccessoryData == "":
		return casebook.Invalidf("accessory_data", "accessory_data is required: the file's content in Base64.")
	}
	uploadType, err := parseUploadType(req.UploadType)
	if err != nil {
		return casebook.Invalidf("upload_type", "upload_type must be 0 (normal) or 1 (markdown).")
	}
	data := *req.AccessoryData
	if err := checkBase64(data); err != nil {
		return err
	}
	in := casebook.UploadInput{
		FileName:   *req.AccessoryName,
		From:       *req.AccessoryFrom,
		UploadType: uploadType,
		Size:       int64(len(data)/4*3 - strings.Count(data[len(data)-2:], "=")),
	}
	a, err := s.Service.UploadAccessory(r.Context(), principal(r), in, base64.NewDecoder(base64.StdEncoding, strings.NewReader(data)))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, map[string]string{"accessory_id": a.ID})
}

// checkBase64 refuses what is not padded standard Base64 before anything
// is stored, so a bad character near the end cannot leave half a file.
func checkBase64(data string) error {
	bad := len(data)%4 != 0
	for i := 0; i < len(data) && !bad; i++ {
		c := data[i]
		ok := 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '+' || c == '/' ||
			(c == '=' && i >= len(data)-2 && (i == len(data)-1 || data[len(data)-1] == '='))
		bad = !ok
	}
	if bad {
		return casebook.Invalidf("accessory_data", "accessory_data must be the file's content in standard, padded Base64.")
	}
	return nil
}

// imageTypes are the attachment types DownloadImages serves inline, by
// extension. Only raster formats: an SVG could carry script.
var imageTypes = map[string]string{
	"jpg":  "image/jpeg",
	"jpeg": "image/jpeg",
	"png":  "image/png",
	"gif":  "image/gif",
	"bmp":  "image/bmp",
}

// imageType returns the media type of an image attachment, "" for others.
func imageType(fileName string) string {
	if i := strings.LastIndexByte(fileName, '.'); i >= 0 {
		return imageTypes[strings.ToLower(fileName[i+1:])]
	}
	return ""
}

// handleDownloadImages is DownloadImages: one image attachment's bytes for
// inline display. Visibility is DownloadAccessories'; an attachment that
// is not an image is refused (use DownloadAccessories). The image is sent
// with its own type, inline, and with nosniff and a sandboxing policy, so
// a browser renders it as an image and nothing else.
func (s *Server) handleDownloadImages(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AccessoryID string `path:"accessory_id,notfound" max:"MaxAccessoryIDLength"`
		GroupID     string `query:"group_id"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	found, err := s.visibleAccessories(r, req.GroupID, []string{req.AccessoryID})
	if err != nil {
		return err
	} else if len(found) == 0 {
		return accessoryNotFound(req.AccessoryID)
	}
	a := found[0]
	mediaType := imageType(a.FileName)
	if mediaType == "" {
		return casebook.Invalidf("accessory_id", "Attachment %q is not an image (jpg, jpeg, png, gif, bmp); download it with DownloadAccessories.", a.ID)
	}
	return s.serveBlob(w, r, a, func(h http.Header) {
		h.Set("Content-Type", mediaType)
		h.Set("Content-Disposition", strings.Replace(contentDisposition(a.FileName), "attachment", "inline", 1))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	})
}

// Relation types of ShowDownloadAccessoryUrl (the SDK's enum).
const (
	relationDefault      = "DEFAULT"
	relationNone         = "NO_RELATION"
	relationIncident     = "INCIDENT"
	relationMessage      = "MESSAGE"
	relationNotification = "NOTIFICATION"
	relationInspection   = "INSPECTION"
	relationConnect      = "CONNECT"
)

// showAccessoryURLRequest is ShowDownloadAccessoryUrl. The SDK sends no
// group_id, so the caller's own view applies (the master user's: the
// account).
type showAccessoryURLRequest struct {
	AccessoryID  string `path:"accessory_id,notfound" max:"MaxAccessoryIDLength"`
	RelationType string `query:"relation_type"`
	RelationID   string `query:"relation_id" max:"MaxCaseIDLength"`
	IncidentID   string `query:"incident_id" max:"MaxCaseIDLength"`
}

// handleShowDownloadAccessoryUrl is ShowDownloadAccessoryUrl: one signed,
// short-lived download link, as ListAccessoryAccessUrls gives. The
// relation narrows the lookup and is checked, not ignored: DEFAULT is any
// attachment; NO_RELATION one not yet attached; INCIDENT one of the ticket
// relation_id (or incident_id) names; MESSAGE one of the message
// relation_id names. incident_id, when given, must be the attachment's
// ticket. An attachment outside the relation answers like a missing one.
// Casebook has no notifications, inspections or connection sessions, so
// those relation types are refused.
func (s *Server) handleShowDownloadAccessoryUrl(w http.ResponseWriter, r *http.Request) error {
	var req showAccessoryURLRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	switch req.RelationType {
	case relationDefault, relationNone, relationIncident, relationMessage:
	case relationNotification, relationInspection, relationConnect:
		return casebook.Invalidf("relation_type", "relation_type %s is not modelled by Casebook: it has no notifications, inspections or connection sessions.", req.RelationType)
	case "":
		return casebook.Invalidf("relation_type", "relation_type is required: DEFAULT, NO_RELATION, INCIDENT or MESSAGE.")
	default:
		return casebook.Invalidf("relation_type", "relation_type must be DEFAULT, NO_RELATION, INCIDENT or MESSAGE.")
	}
	if req.RelationID != "" && req.RelationType != relationIncident && req.RelationType != relationMessage {
		return casebook.Invalidf("relation_id", "relation_id names a ticket (INCIDENT) or a message (MESSAGE); it cannot be used with %s.", req.RelationType)
	}
	if req.RelationType == relationMessage && req.RelationID == "" {
		return casebook.Invalidf("relation_id", "relation_id (the message id) is required with MESSAGE.")
	}
	if req.RelationType == relationIncident && req.RelationID == "" && req.IncidentID == "" {
		return casebook.Invalidf("relation_id", "relation_id or incident_id (the ticket id) is required with INCIDENT.")
	}
	if s.Links == nil {
		return errors.New("show access url: no download link key configured")
	}
	found, err := s.visibleAccessories(r, "", []string{req.AccessoryID})
	if err != nil {
		return err
	} else if len(found) == 0 || !inRelation(found[0], req) {
		return accessoryNotFound(req.AccessoryID)
	}
	return writeJSON(w, http.StatusOK, map[string]string{"accessory_url": s.signedLink(r, found[0])})
}

// inRelation reports whether a lies in the relation the request names.
func inRelation(a *casebook.Accessory, req showAccessoryURLRequest) bool {
	if req.IncidentID != "" && a.CaseID != req.IncidentID {
		return false
	}
	switch req.RelationType {
	case relationNone:
		return a.CaseID == ""
	case relationIncident:
		return a.CaseID != "" && (req.RelationID == "" || a.CaseID == req.RelationID)
	case relationMessage:
		return a.MessageID != "" && a.MessageID == req.RelationID
	}
	return true
}
