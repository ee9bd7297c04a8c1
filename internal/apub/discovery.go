package apub

import (
	"encoding/json"
	"html"
	"net/http"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/httpx"
)

func (h *Handler) webfinger(w http.ResponseWriter, r *http.Request) {
	jrd, err := h.Federation.WebFinger(r.Context(), r.URL.Query().Get("resource"))
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/jrd+json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	json.NewEncoder(w).Encode(jrd) //nolint:errcheck
}

func (h *Handler) hostMeta(w http.ResponseWriter, r *http.Request) {
	template := h.Federation.Paths().Base.String() + "/.well-known/webfinger?resource={uri}"
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + //nolint:errcheck
		`<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">` + "\n" +
		`  <Link rel="lrdd" type="application/jrd+json" template="` + html.EscapeString(template) + `"/>` + "\n" +
		`</XRD>` + "\n"))
}

func (h *Handler) nodeinfoLinks(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	httpx.JSON(w, http.StatusOK, h.Federation.NodeInfoLinks())
}

func (h *Handler) nodeinfo(w http.ResponseWriter, r *http.Request) {
	version := r.PathValue("version")
	if version != "2.0" && version != "2.1" {
		httpx.JSONError(w, r, apperr.NotFound("NodeInfo 2.0 and 2.1 are served"))
		return
	}
	doc, err := h.Federation.NodeInfo(r.Context(), version)
	if err != nil {
		httpx.JSONError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/`+version+`#"`)
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Header().Set("Cache-Control", "public, max-age=300")
	json.NewEncoder(w).Encode(doc) //nolint:errcheck
}
