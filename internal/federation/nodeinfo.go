package federation

import (
	"context"
)

// NodeInfoLinks is /.well-known/nodeinfo.
func (f *Service) NodeInfoLinks() map[string]any {
	base := f.opts.PublicURL.String()
	return map[string]any{"links": []map[string]string{
		{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": base + "/nodeinfo/2.1"},
		{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.0", "href": base + "/nodeinfo/2.0"},
	}}
}

// NodeInfo is the NodeInfo 2.0 or 2.1 document. metadata says whether this
// instance is AI-free and that it labels synthetic media, which other Assay
// servers read before delivering synthetic content.
func (f *Service) NodeInfo(ctx context.Context, version string) (map[string]any, error) {
	inst, err := f.store.Instance(ctx)
	if err != nil {
		return nil, err
	}
	users, err := f.store.CountLocalUsers(ctx)
	if err != nil {
		return nil, err
	}
	videos, err := f.store.CountLocalVideos(ctx)
	if err != nil {
		return nil, err
	}
	software := map[string]any{"name": "assay", "version": f.opts.Version}
	if version == "2.1" {
		software["repository"] = "https://github.com/assay-social/assay"
		software["homepage"] = "https://github.com/assay-social/assay"
	}
	return map[string]any{
		"version":           version,
		"software":          software,
		"protocols":         []string{"activitypub"},
		"services":          map[string]any{"inbound": []string{}, "outbound": []string{}},
		"openRegistrations": inst.RegistrationsOpen,
		"usage": map[string]any{
			"users":      map[string]any{"total": users},
			"localPosts": videos,
		},
		"metadata": map[string]any{
			"nodeName":             inst.Name,
			"aiFree":               inst.AIFree,
			"syntheticMediaLabels": true,
		},
	}, nil
}
