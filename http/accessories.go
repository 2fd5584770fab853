package http

import (
	"archive/zip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/casebook/casebook"
	"github.com/casebook/casebook/auth"
)

const (
	uploadEnvelopeBytes  = 64 << 10
	downloadZipName      = "accessories.zip"
	linkAccountParam     = "a"
	linkExpiresParam     = "e"
	linkSignatureParam   = "s"
	multipartContentType = "multipart/form-data"
)

// uploadForm is the JSON inside the form_data part. The docs' own example
// spells accessoryFrom as accessFrom; both are read.
type uploadForm struct {
	FileName      string          `json:"fileName"`
	AccessoryFrom string          `json:"accessoryFrom"`
	AccessFrom    string          `json:"accessFrom"`
	UploadType    json.RawMessage `json:"uploadType"`
}

// parseUploadForm reads and checks the form_data part.
func parseUploadForm(r io.Reader) (casebook.UploadInput, error) {
	var in casebook.UploadInput
	// 4 bytes per character at most, and one more to notice excess.
	b, err := io.ReadAll(io.LimitReader(r, 4*casebook.MaxFormDataLength+1))
	if err != nil {
		return in, uploadReadError(err)
	}
	if !utf8.Valid(b) || utf8.RuneCount(b) < 1 || utf8.RuneCount(b) > casebook.MaxFormDataLength {
		return in, casebook.Invalidf("form_data", "form_data must be 1 to %d characters of JSON.", casebook.MaxFormDataLength)
	}
	var f uploadForm
	if err := json.Unmarshal(b, &f); err != nil {
		return in, casebook.Invalidf("form_data", `form_data must be a JSON object such as {"fileName":"a.txt","accessoryFrom":"incident","uploadType":0}.`)
	}
	in.FileName = f.FileName
	in.From = f.AccessoryFrom
	if in.From == "" {
		in.From = f.AccessFrom
	}
	if in.From == "" {
		in.From = casebook.AccessoryFromIncident
	}
	if in.UploadType, err = parseUploadType(f.UploadType); err != nil {
		return in, err
	}
	in.Size = -1
	return in, nil
}

// parseUploadType accepts 0 and 1 as JSON numbers or numeric strings, and
// treats an absent value as 0.
func parseUploadType(raw json.RawMessage) (int, error) {
	v := strings.Trim(strings.TrimSpace(string(raw)), `"`)
	if v == "" || v == "null" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || (n != 0 && n != 1) {
		return 0, casebook.Invalidf("uploadType", "uploadType must be 0 (normal) or 1 (markdown).")
	}
	return n, nil
}

// uploadReadError maps a failure to read the request body, which is
// always the caller's: a body over the MaxBytesReader cap is an oversized
// file, one that stopped arriving before the deadline a timeout (408), one
// cut off (the client went away, or a multipart body without its end) an
// interrupted upload. None of them is a server error.
func uploadReadError(err error) error {
	var tooLarge *http.MaxBytesError
	var e *casebook.Error
	switch {
	case errors.As(err, &e):
		return e
	case errors.As(err, &tooLarge):
		return casebook.Invalidf("file", "The request is larger than the attachment size limit.")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return casebook.Errorf(casebook.EINVALID, "The request body did not arrive in time.").WithReason(reasonBodyTimeout)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed), errors.Is(err, syscall.ECONNRESET):
		return malformed("The upload was interrupted before the end of its body.")
	}
	return malformed("The multipart body cannot be read: %v.", err)
}

// partReader passes the file part to the Service and turns any failure to
// read it (too large, too slow, cut off) into the caller's error, so that
// the Service reports it as such instead of as a storage failure.
type partReader struct{ r io.Reader }

func (p partReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if err != nil && err != io.EOF {
		return n, uploadReadError(err)
	}
	return n, err
}

// handleUploadAccessory streams a multipart upload (form_data, then file)
// to the Service: the file part is never held in memory or spooled to
// disk here, and the whole body is capped slightly above the size limit.
func (s *Server) handleUploadAccessory(w http.ResponseWriter, r *http.Request) error {
	mediaType, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mediaType != multipartContentType {
		return malformed("UploadAccessory takes a multipart/form-data body with a form_data part (JSON) followed by a file part.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.Service.Config.AccessoryMaxSize+uploadEnvelopeBytes)
	mr, err := r.MultipartReader()
	if err != nil {
		return malformed("The multipart body cannot be read: %v.", err)
	}

	var form *casebook.UploadInput
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			return uploadReadError(err)
		}
		switch part.FormName() {
		case "form_data":
			in, err := parseUploadForm(part)
			if err != nil {
				return err
			}
			form = &in
		case "file":
			if form == nil {
				return casebook.Invalidf("form_data", "The form_data part must come before the file part.")
			}
			in := *form
			if in.FileName == "" {
				in.FileName = part.FileName()
			}
			in.ContentType = part.Header.Get("Content-Type")
			a, err := s.Service.UploadAccessory(r.Context(), principal(r), in, partReader{part})
			var e *casebook.Error
			if err != nil && !errors.As(err, &e) && r.Context().Err() != nil {
				// The client went away while the object was being
				// stored; the Service has removed what it wrote.
				return malformed("The upload was interrupted before the end of its body.")
			} else if err != nil {
				return err
			}
			return writeJSON(w, http.StatusOK, map[string]string{"accessory_id": a.ID})
		default:
			// Unknown parts are skipped (still under the body cap).
			if _, err := io.Copy(io.Discard, part); err != nil {
				return uploadReadError(err)
			}
		}
	}
	if form == nil {
		return casebook.Invalidf("form_data", "The form_data part is missing.")
	}
	return casebook.Invalidf("file", "The file part is missing.")
}

// accessoryLimit is AccessoryLimitVo. The SDK declares all three as
// strings; the doc example's numbers would break its decoder.
type accessoryLimit struct {
	LimitCount    string `json:"limit_count"`
	LimitSize     string `json:"limit_size"`
	LimitFileType string `json:"limit_file_type"`
}

func (s *Server) handleShowAccessoryLimits(w http.ResponseWriter, r *http.Request) error {
	cfg := s.Service.Config
	return writeJSON(w, http.StatusOK, map[string]accessoryLimit{"accessory_limit": {
		LimitCount:    strconv.Itoa(cfg.AccessoryMaxCount),
		LimitSize:     formatMB(cfg.AccessoryMaxSize),
		LimitFileType: strings.Join(cfg.AccessoryTypes, ","),
	}})
}

// formatMB writes a byte count in MB (2^20 bytes), rounded down to two
// decimals so that a client never plans for more than the server takes:
// 4 MiB is "4", 1.5 MiB "1.5".
func formatMB(n int64) string {
	hundredths := n * 100 / (1 << 20)
	if hundredths%100 == 0 {
		return strconv.FormatInt(hundredths/100, 10)
	}
	return strings.TrimRight(fmt.Sprintf("%d.%02d", hundredths/100, hundredths%100), "0")
}

// accessoryNotFound is the one answer for attachments the caller cannot
// reach, whatever the reason (no such id, another account's, outside the
// caller's view, a group they are not in).
func accessoryNotFound(id string) error {
	return casebook.NotFoundf("Attachment %q does not exist.", id)
}

// visibleAccessories returns the attachments of ids the caller may see,
// in the order of ids. Naming a group the caller is not a member of makes
// every id invisible rather than an error, so that the answer is the same
// as for ids that do not exist.
func (s *Server) visibleAccessories(r *http.Request, groupID string, ids []string) ([]*casebook.Accessory, error) {
	found, err := s.Service.VisibleAccessories(r.Context(), principal(r), groupID, ids)
	if casebook.ErrorReason(err) == casebook.ReasonNoPermission {
		return nil, nil
	}
	return found, err
}

// downloadIDs is the accessory_id path parameter of DownloadAccessories:
// one id or a comma-separated list of at most MaxDownloadIDs, 1..650
// characters in all. Repeated ids are served once.
type downloadIDs []string

func (l *downloadIDs) decodeText(v string) error {
	if err := casebook.CheckLength("accessory_id", v, 1, casebook.MaxDownloadPathLength); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, id := range strings.Split(v, ",") {
		id = strings.TrimSpace(id)
		if id == "" {
			return casebook.Invalidf("accessory_id", "accessory_id holds an empty id.")
		}
		if err := casebook.CheckLength("accessory_id", id, 1, casebook.MaxAccessoryIDLength); err != nil {
			return err
		}
		if !seen[id] {
			seen[id] = true
			*l = append(*l, id)
		}
	}
	if len(*l) > casebook.MaxDownloadIDs {
		return casebook.Invalidf("accessory_id", "At most %d attachments can be downloaded at once.", casebook.MaxDownloadIDs)
	}
	return nil
}

// downloadRequest is DownloadAccessories.
type downloadRequest struct {
	IDs     downloadIDs `path:"accessory_id"`
	GroupID string      `query:"group_id"`
}

// handleDownloadAccessories serves one attachment as raw bytes, or
// several (comma-separated ids) as a zip archive, streamed.
func (s *Server) handleDownloadAccessories(w http.ResponseWriter, r *http.Request) error {
	var req downloadRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ids := []string(req.IDs)
	found, err := s.visibleAccessories(r, req.GroupID, ids)
	if err != nil {
		return err
	}
	byID := make(map[string]*casebook.Accessory, len(found))
	for _, a := range found {
		byID[a.ID] = a
	}
	for _, id := range ids {
		if byID[id] == nil {
			return accessoryNotFound(id)
		}
	}
	if len(found) == 1 {
		return s.serveAccessory(w, r, found[0])
	}
	return s.serveZip(w, r, found)
}

// downloadHeaders sets what every download response carries: a generic
// type the browser will not render, an attachment disposition, and no
// caching: an attachment is the customer's, never a shared cache's.
func downloadHeaders(h http.Header, fileName string) {
	h.Set("Cache-Control", "private, no-store")
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", contentDisposition(fileName))
	h.Set("X-Content-Type-Options", "nosniff")
}

// serveAccessory streams one attachment's content as a download.
func (s *Server) serveAccessory(w http.ResponseWriter, r *http.Request, a *casebook.Accessory) error {
	return s.serveBlob(w, r, a, func(h http.Header) { downloadHeaders(h, a.FileName) })
}

// serveBlob streams one attachment's content with the headers setHeaders
// writes.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, a *casebook.Accessory, setHeaders func(http.Header)) error {
	rc, err := s.Service.OpenBlob(r.Context(), a)
	if err != nil {
		return err
	}
	defer rc.Close()
	setHeaders(w.Header())
	w.Header().Set("Content-Length", strconv.FormatInt(a.Size, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := io.Copy(w, rc); err != nil {
		s.abortDownload(r, a.ID, err)
	}
	return nil
}

// serveZip streams several attachments as one zip archive. Every object is
// opened before the status is sent, so a missing one is still a clean
// error response.
func (s *Server) serveZip(w http.ResponseWriter, r *http.Request, as []*casebook.Accessory) error {
	readers := make([]io.ReadCloser, 0, len(as))
	defer func() {
		for _, rc := range readers {
			rc.Close()
		}
	}()
	for _, a := range as {
		rc, err := s.Service.OpenBlob(r.Context(), a)
		if err != nil {
			return err
		}
		readers = append(readers, rc)
	}

	downloadHeaders(w.Header(), downloadZipName)
	w.WriteHeader(http.StatusOK)
	zw := zip.NewWriter(w)
	names := zipEntryNames(as)
	for i, a := range as {
		fw, err := zw.CreateHeader(&zip.FileHeader{Name: names[i], Method: zip.Deflate, Modified: a.CreatedAt})
		if err == nil {
			_, err = io.Copy(fw, readers[i])
		}
		if err != nil {
			s.abortDownload(r, a.ID, err)
		}
	}
	if err := zw.Close(); err != nil {
		s.abortDownload(r, "", err)
	}
	return nil
}

// abortDownload ends a download whose status line is already sent: the
// connection is cut, so the client sees a broken transfer rather than a
// complete-looking truncated file.
func (s *Server) abortDownload(r *http.Request, id string, err error) {
	info := requestInfoFrom(r.Context())
	s.Logger.Error("download interrupted", "request_id", info.ID, "op", info.Op, "accessory_id", id, "err", err)
	panic(http.ErrAbortHandler)
}

// zipEntryNames gives each attachment a distinct name inside the archive:
// "a.txt", "a (2).txt", ...
func zipEntryNames(as []*casebook.Accessory) []string {
	used := map[string]bool{}
	names := make([]string, len(as))
	for i, a := range as {
		name := a.FileName
		base, ext := name, ""
		if dot := strings.LastIndexByte(name, '.'); dot > 0 {
			base, ext = name[:dot], name[dot:]
		}
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s (%d)%s", base, n, ext)
		}
		used[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// contentDisposition returns an RFC 6266 attachment disposition: an ASCII
// fallback in filename (quotes, backslashes, controls and non-ASCII
// replaced) and the exact UTF-8 name in filename* (RFC 8187).
func contentDisposition(name string) string {
	var ascii, ext strings.Builder
	for _, r := range name {
		if r < 0x20 || r >= 0x7f || r == '"' || r == '\\' || r == '%' {
			ascii.WriteByte('_')
		} else {
			ascii.WriteRune(r)
		}
	}
	for _, b := range []byte(name) {
		if isAttrChar(b) {
			ext.WriteByte(b)
		} else {
			fmt.Fprintf(&ext, "%%%02X", b)
		}
	}
	fallback := ascii.String()
	if strings.Trim(fallback, "_.") == "" {
		fallback = "download"
	}
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, fallback, ext.String())
}

// isAttrChar reports whether b may appear unencoded in an RFC 8187 value.
func isAttrChar(b byte) bool {
	switch {
	case 'a' <= b && b <= 'z', 'A' <= b && b <= 'Z', '0' <= b && b <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", b) >= 0
}

func (s *Server) handleDeleteAccessories(w http.ResponseWriter, r *http.Request) error {
	var req struct {
		AccessoryID string `path:"accessory_id,notfound" max:"MaxAccessoryIDLength"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := s.Service.DeleteAccessory(r.Context(), principal(r), req.AccessoryID); err != nil {
		if casebook.ErrorCode(err) == casebook.ENOTFOUND {
			return accessoryNotFound(req.AccessoryID)
		}
		return err
	}
	return writeJSON(w, http.StatusOK, struct{}{})
}

// accessUrlsRequest is ListAccessoryAccessUrls: ids and group in the
// query (SDK) or, as in the seed page's example, in a JSON body of the GET.
// The query wins; the body is the fallback.
type accessUrlsRequest struct {
	AccessoryIDs []string `query:"accessory_ids,comma"`
	GroupID      string   `query:"group_id"`
	Body         struct {
		GroupID      string     `json:"group_id"`
		AccessoryIDs stringList `json:"accessory_ids"`
	} `body:"json"`
}

// accessoryURL is AccessoryUrl.
type accessoryURL struct {
	AccessoryID   string `json:"accessory_id"`
	AccessoryName string `json:"accessory_name"`
	AccessoryURL  string `json:"accessory_url"`
}

// handleListAccessoryAccessUrls returns signed, short-lived download links
// for the given attachments the caller may see. Invisible and unknown ids
// are left out without an error, so the answer reveals nothing about them.
func (s *Server) handleListAccessoryAccessUrls(w http.ResponseWriter, r *http.Request) error {
	var req accessUrlsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ids := req.AccessoryIDs
	if len(ids) == 0 {
		for _, id := range req.Body.AccessoryIDs {
			if id = strings.TrimSpace(id); id != "" {
				ids = append(ids, id)
			}
		}
	}
	if err := casebook.CheckCount("accessory_ids", len(ids), 1, casebook.MaxAccessURLIDs); err != nil {
		return err
	}
	for _, id := range ids {
		if err := casebook.CheckLength("accessory_ids", id, 1, casebook.MaxAccessoryIDLength); err != nil {
			return err
		}
	}
	groupID := groupIDOf(req.GroupID, req.Body.GroupID)

	if s.Links == nil {
		return fmt.Errorf("list access urls: no download link key configured")
	}
	found, err := s.visibleAccessories(r, groupID, ids)
	if err != nil {
		return err
	}
	urls := make([]accessoryURL, 0, len(found))
	for _, a := range found {
		urls = append(urls, accessoryURL{
			AccessoryID:   a.ID,
			AccessoryName: a.FileName,
			AccessoryURL:  s.signedLink(r, a),
		})
	}
	return writeJSON(w, http.StatusOK, map[string][]accessoryURL{"accessory_urls": urls})
}

// signedLink is the absolute, short-lived download link of a; s.Links
// must be set.
func (s *Server) signedLink(r *http.Request, a *casebook.Accessory) string {
	expires, sig := s.Links.Sign(a.ID, a.AccountID, s.Now())
	return s.selfURL(r) + downloadLinkPath(a.ID, a.AccountID, expires, sig)
}

// downloadLinkPath is the path and query of a signed download link.
func downloadLinkPath(id, accountID string, expires int64, sig string) string {
	v := url.Values{}
	v.Set(linkAccountParam, accountID)
	v.Set(linkExpiresParam, strconv.FormatInt(expires, 10))
	v.Set(linkSignatureParam, sig)
	return "/files/" + url.PathEscape(id) + "?" + v.Encode()
}

// handleDownloadLink serves a signed download link. The link is the proof
// of access: it names the attachment and its account, and carries an
// expiry and a MAC over the three. Altered and expired links get 403.
func (s *Server) handleDownloadLink(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("accessory_id")
	q := r.URL.Query()
	accountID, sig := q.Get(linkAccountParam), q.Get(linkSignatureParam)
	expires, err := strconv.ParseInt(q.Get(linkExpiresParam), 10, 64)
	if err != nil || id == "" || accountID == "" || sig == "" {
		return errBadLink()
	}
	if s.Links == nil {
		return errBadLink()
	}
	switch err := s.Links.Verify(id, accountID, expires, sig, s.Now()); {
	case errors.Is(err, auth.ErrLinkExpired):
		// Only reported once the MAC matched: the expiry is the caller's own.
		return casebook.Errorf(casebook.EFORBIDDEN, "The download link has expired; ask for a new one.")
	case errors.Is(err, auth.ErrLinkSignature):
		return errBadLink()
	case err != nil:
		return fmt.Errorf("verify download link: %w", err) // a misconfigured key
	}
	a, err := s.Service.AccessoryByID(r.Context(), id)
	if casebook.ErrorCode(err) == casebook.ENOTFOUND || (err == nil && a.AccountID != accountID) {
		return accessoryNotFound(id)
	} else if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return s.serveAccessory(w, r, a)
}

func errBadLink() error {
	return casebook.Errorf(casebook.EFORBIDDEN, "The download link is not valid.")
}
