package federation

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/assay-social/assay/internal/apperr"
	"github.com/assay-social/assay/internal/model"
)

// peerRefresh is how long a peer's NodeInfo answer is trusted. An admin who
// turns AI-free on is honoured by other Assay servers within this time; the
// receiving inbox refuses labelled content at once in any case.
const peerRefresh = time.Hour

// PeerAIFree reports whether the server of a URL says, in its NodeInfo
// metadata, that it is AI-free. The answer is cached in the peers table;
// a server that cannot be asked is taken as not AI-free (its inbox still
// refuses what it does not want).
func (f *Service) PeerAIFree(ctx context.Context, rawURL string) (bool, error) {
	domain := hostOf(rawURL)
	if domain == "" {
		return false, apperr.BadRequest("not a URL: " + rawURL)
	}
	if p, err := f.store.PeerByDomain(ctx, domain); err == nil && time.Since(p.FetchedAt) < peerRefresh {
		return p.AIFree, nil
	}
	peer, err := f.fetchNodeInfo(ctx, domain)
	if err != nil {
		f.log.Info("could not read a peer's NodeInfo", "domain", domain, "err", err)
		return false, nil
	}
	return peer.AIFree, f.store.PutPeer(ctx, peer)
}

type nodeInfoLinks struct {
	Links []struct {
		Rel  string `json:"rel"`
		Href string `json:"href"`
	} `json:"links"`
}

type nodeInfoDoc struct {
	Software struct {
		Name string `json:"name"`
	} `json:"software"`
	Metadata struct {
		AIFree bool `json:"aiFree"`
	} `json:"metadata"`
}

func (f *Service) fetchNodeInfo(ctx context.Context, domain string) (*model.Peer, error) {
	var lastErr error
	for _, scheme := range f.schemes() {
		body, err := f.getPlain(ctx, scheme+"://"+domain+"/.well-known/nodeinfo", "application/json")
		if err != nil {
			lastErr = err
			continue
		}
		var links nodeInfoLinks
		if err := json.Unmarshal(body, &links); err != nil {
			return nil, apperr.New(http.StatusBadGateway, domain+"'s NodeInfo index is not JSON")
		}
		href, bestRel := "", ""
		for _, l := range links.Links {
			if !strings.HasPrefix(l.Rel, "http://nodeinfo.diaspora.software/ns/schema/2.") {
				continue
			}
			// The newest schema the server offers, on its own host.
			if hostOf(l.Href) == domain && l.Rel > bestRel {
				href, bestRel = l.Href, l.Rel
			}
		}
		if href == "" {
			return nil, apperr.New(http.StatusBadGateway, domain+" offers no NodeInfo 2.x")
		}
		body, err = f.getPlain(ctx, href, "application/json")
		if err != nil {
			return nil, err
		}
		var doc nodeInfoDoc
		if err := json.Unmarshal(body, &doc); err != nil {
			return nil, apperr.New(http.StatusBadGateway, domain+"'s NodeInfo is not JSON")
		}
		return &model.Peer{Domain: domain, Software: doc.Software.Name, AIFree: doc.Metadata.AIFree, FetchedAt: time.Now().UTC()}, nil
	}
	return nil, lastErr
}
