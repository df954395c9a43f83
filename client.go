package omnivibe

import (
	"strings"
	"time"
)

// Client is one of the agency's customers; campaigns are made for clients.
type Client struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"-"`
	Name         string    `json:"name"`
	Industry     string    `json:"industry"`
	BrandColor   string    `json:"brand_color"`
	LogoURL      string    `json:"logo_url"`
	ContactEmail string    `json:"contact_email"`
	WebsiteURL   string    `json:"website_url"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// ClientInput is the body of POST /clients and PATCH /clients/{id}. Text fields
// sent as null or "" are cleared; name can never be cleared.
type ClientInput struct {
	Name         Optional[string] `json:"name,omitzero"`
	Industry     Optional[string] `json:"industry,omitzero"`
	BrandColor   Optional[string] `json:"brand_color,omitzero"`
	LogoURL      Optional[string] `json:"logo_url,omitzero"`
	ContactEmail Optional[string] `json:"contact_email,omitzero"`
	WebsiteURL   Optional[string] `json:"website_url,omitzero"`
}

// Apply validates the sent fields and writes them into c. With create set, the
// required fields must be present. Nothing is written when a field is broken.
func (in ClientInput) Apply(c *Client, create bool) error {
	var v Violations
	next := *c
	if create && !in.Name.Set {
		v.Add("name", "is required")
	}
	if notNull(&v, "name", in.Name) {
		next.Name = strings.TrimSpace(in.Name.Value)
		textRule(&v, "name", next.Name, 1, 200)
	}
	if in.Industry.Set {
		next.Industry = strings.TrimSpace(in.Industry.Value)
		textRule(&v, "industry", next.Industry, 0, 100)
	}
	if in.BrandColor.Set {
		next.BrandColor = strings.TrimSpace(in.BrandColor.Value)
		if next.BrandColor != "" && !hexColor.MatchString(next.BrandColor) {
			v.Add("brand_color", "must be a colour #RRGGBB")
		}
	}
	if in.LogoURL.Set {
		next.LogoURL = strings.TrimSpace(in.LogoURL.Value)
		if next.LogoURL != "" {
			urlRule(&v, "logo_url", next.LogoURL)
		}
	}
	if in.ContactEmail.Set {
		next.ContactEmail = strings.TrimSpace(in.ContactEmail.Value)
		if next.ContactEmail != "" {
			emailRule(&v, "contact_email", next.ContactEmail)
		}
	}
	if in.WebsiteURL.Set {
		next.WebsiteURL = strings.TrimSpace(in.WebsiteURL.Value)
		if next.WebsiteURL != "" {
			urlRule(&v, "website_url", next.WebsiteURL)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	*c = next
	return nil
}

// ClientPage is one page of GET /clients.
type ClientPage struct {
	Clients  []Client `json:"clients"`
	Total    int      `json:"total"`
	Page     int      `json:"page"`
	PageSize int      `json:"page_size"`
}
