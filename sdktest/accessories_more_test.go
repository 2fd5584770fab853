package sdktest

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/osm/v2/model"
)

// uploadJSON uploads content through UploadJsonAccessories.
func uploadJSON(c *Customer, name string, content []byte) (*model.UploadJsonAccessoriesResponse, error) {
	return c.Client.UploadJsonAccessories(&model.UploadJsonAccessoriesRequest{Body: &model.AccessoryJsonFormatReq{
		AccessoryName: name,
		AccessoryFrom: model.GetAccessoryJsonFormatReqAccessoryFromEnum().MESSAGE,
		UploadType:    ptr(int32(0)),
		AccessoryData: base64.StdEncoding.EncodeToString(content),
	}})
}

// TestJSONAttachments: UploadJsonAccessories (Base64 in JSON; the same
// type allow-list and visibility as the multipart upload), DownloadImages
// (images only), ShowDownloadAccessoryUrl (a signed link fetched with plain
// HTTP, the relation checked), and their error paths through the SDK.
func TestJSONAttachments(t *testing.T) {
	alice := world.Alice
	picture := randomBytes(t, 3000)
	resp, err := uploadJSON(alice, "screen.png", picture)
	must(t, err, "UploadJsonAccessories")
	pictureID := str(resp.AccessoryId)
	if pictureID == "" {
		t.Fatal("UploadJsonAccessories returned no accessory_id")
	}
	// Stored byte for byte: the multipart download gives the same bytes.
	if got := download(t, alice, pictureID, ""); !bytes.Equal(got, picture) {
		t.Errorf("DownloadAccessories of the JSON upload: %d bytes, not the %d sent", len(got), len(picture))
	}

	img, err := alice.Client.DownloadImages(&model.DownloadImagesRequest{AccessoryId: pictureID})
	must(t, err, "DownloadImages")
	got, err := io.ReadAll(img.Body)
	img.Body.Close()
	if err != nil || !bytes.Equal(got, picture) {
		t.Errorf("DownloadImages: %d bytes (%v), want the %d uploaded", len(got), err, len(picture))
	}

	// A text file is not an image; another account sees nothing.
	textResp, err := uploadJSON(alice, "notes.txt", []byte("hello"))
	must(t, err, "UploadJsonAccessories notes.txt")
	_, err = alice.Client.DownloadImages(&model.DownloadImagesRequest{AccessoryId: str(textResp.AccessoryId)})
	wantError(t, err, 400, "OSM.01010001")
	_, err = world.Dave.Client.DownloadImages(&model.DownloadImagesRequest{AccessoryId: pictureID})
	wantError(t, err, 404, "OSM.01010001")

	// Refused uploads: a type outside the allow-list, broken Base64.
	_, err = uploadJSON(alice, "tool.exe", []byte("MZ"))
	wantError(t, err, 400, "OSM.01010001")
	_, err = alice.Client.UploadJsonAccessories(&model.UploadJsonAccessoriesRequest{Body: &model.AccessoryJsonFormatReq{
		AccessoryName: "a.txt", AccessoryFrom: model.GetAccessoryJsonFormatReqAccessoryFromEnum().INCIDENT, AccessoryData: "not base64!",
	}})
	wantError(t, err, 400, "OSM.01010001")

	// ShowDownloadAccessoryUrl: the link serves the bytes.
	types := model.GetShowDownloadAccessoryUrlRequestRelationTypeEnum()
	link, err := alice.Client.ShowDownloadAccessoryUrl(&model.ShowDownloadAccessoryUrlRequest{AccessoryId: pictureID, RelationType: types.NO_RELATION})
	must(t, err, "ShowDownloadAccessoryUrl")
	res, err := http.Get(str(link.AccessoryUrl))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(body, picture) {
		t.Errorf("the link gave %d and %d bytes; want 200 and the %d uploaded", res.StatusCode, len(body), len(picture))
	}
	// The relation is checked: the picture is on no ticket, and the
	// relations Casebook does not model are refused.
	caseID := createCase(t, alice, "JSON attachments "+randomHex(4))
	_, err = alice.Client.ShowDownloadAccessoryUrl(&model.ShowDownloadAccessoryUrlRequest{AccessoryId: pictureID, RelationType: types.INCIDENT, RelationId: ptr(caseID)})
	wantError(t, err, 404, "OSM.01010001")
	_, err = alice.Client.ShowDownloadAccessoryUrl(&model.ShowDownloadAccessoryUrlRequest{AccessoryId: pictureID, RelationType: types.INSPECTION})
	wantError(t, err, 400, "OSM.01010001")
	_, err = world.Dave.Client.ShowDownloadAccessoryUrl(&model.ShowDownloadAccessoryUrlRequest{AccessoryId: pictureID, RelationType: types.DEFAULT})
	wantError(t, err, 404, "OSM.01010001")
}
