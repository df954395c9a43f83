package omnivibe

import (
	"strings"
	"time"
	"unicode"
)

// Account is a workspace (an agency) on one plan. Every other resource belongs to one.
type Account struct {
	ID        int64     `json:"id"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Role is what a user may do in its account.
type Role string

// The roles, from most to least powerful.
const (
	RoleOwner  Role = "owner"
	RoleAdmin  Role = "admin"
	RoleMember Role = "member"
	RoleViewer Role = "viewer"
)

// Roles lists every role, for validation and documentation.
var Roles = []string{string(RoleOwner), string(RoleAdmin), string(RoleMember), string(RoleViewer)}

// CanWrite reports whether the role may create, change and delete the account's
// resources. Viewers may only read.
func (r Role) CanWrite() bool { return r == RoleOwner || r == RoleAdmin || r == RoleMember }

// CanManage reports whether the role may manage the account's members and settings.
func (r Role) CanManage() bool { return r == RoleOwner || r == RoleAdmin }

// User is a person who signs in to an account.
type User struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"account_id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	// TokenKey is random per user, set by the store when the user is
	// created and never changed: every access token carries it, so a token
	// speaks only for this row, even if its id were ever given to another.
	TokenKey string `json:"-"`
}

// TokenPair is the answer of register, login and refresh: who signed in, and a
// new access token with the refresh token that can be traded for the next one.
type TokenPair struct {
	User         User    `json:"user"`
	Account      Account `json:"account"`
	AccessToken  string  `json:"access_token"`
	RefreshToken string  `json:"refresh_token"`
	TokenType    string  `json:"token_type"`
	// ExpiresIn is the access token's life in seconds.
	ExpiresIn int `json:"expires_in"`
}

// Me is the answer of GET /auth/me: the caller and its account.
type Me struct {
	User    User    `json:"user"`
	Account Account `json:"account"`
}

// Registration is the body of POST /auth/register.
type Registration struct {
	Email       string `json:"email"`
	Password    string `json:"password"`
	Name        string `json:"name"`
	AccountName string `json:"account_name"`
}

// Validate checks a registration and normalizes its email.
func (r *Registration) Validate() error {
	var v Violations
	r.Email = NormalizeEmail(r.Email)
	emailRule(&v, "email", r.Email)
	passwordRule(&v, "password", r.Password)
	r.Name = strings.TrimSpace(r.Name)
	textRule(&v, "name", r.Name, 1, 100)
	r.AccountName = strings.TrimSpace(r.AccountName)
	textRule(&v, "account_name", r.AccountName, 0, 200)
	return v.Err()
}

// NewMember is the body of POST /account/users.
type NewMember struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Password string `json:"password"`
	Role     Role   `json:"role"`
}

// Validate checks a new member and normalizes its email.
func (m *NewMember) Validate() error {
	var v Violations
	m.Email = NormalizeEmail(m.Email)
	emailRule(&v, "email", m.Email)
	passwordRule(&v, "password", m.Password)
	m.Name = strings.TrimSpace(m.Name)
	textRule(&v, "name", m.Name, 1, 100)
	m.Role = Role(enumRule(&v, "role", string(m.Role), Roles))
	return v.Err()
}

// passwordRule is the contract's password policy: 8-128 characters with a lower
// case letter, an upper case letter and a digit.
func passwordRule(v *Violations, field, p string) {
	n := len([]rune(p))
	if n < 8 || n > 128 {
		v.Add(field, "must be 8-128 characters")
		return
	}
	var lower, upper, digit bool
	for _, r := range p {
		lower = lower || unicode.IsLower(r)
		upper = upper || unicode.IsUpper(r)
		digit = digit || unicode.IsDigit(r)
	}
	if !lower || !upper || !digit {
		v.Add(field, "must contain a lower case letter, an upper case letter and a digit")
	}
}

// ValidatePassword applies the password policy alone.
func ValidatePassword(field, p string) error {
	var v Violations
	passwordRule(&v, field, p)
	return v.Err()
}

// ValidateRole checks a role name sent by a client.
func ValidateRole(field string, r Role) error {
	var v Violations
	enumRule(&v, field, string(r), Roles)
	return v.Err()
}

// ValidateAccountName checks a workspace name.
func ValidateAccountName(name string) error {
	var v Violations
	textRule(&v, "name", name, 1, 200)
	return v.Err()
}

// APIKey is a long-lived credential of one user. Only the SHA-256 of its secret
// is stored; the secret itself is shown once, when the key is created.
type APIKey struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"-"`
	UserID     int64      `json:"-"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	Hash       []byte     `json:"-"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"-"`
}

// NewAPIKey is the body of POST /auth/api-keys.
type NewAPIKey struct {
	Name          string `json:"name"`
	ExpiresInDays *int   `json:"expires_in_days"`
}

// Validate checks the key's name and lifetime.
func (k *NewAPIKey) Validate() error {
	var v Violations
	k.Name = strings.TrimSpace(k.Name)
	textRule(&v, "name", k.Name, 1, 100)
	if k.ExpiresInDays != nil {
		intRangeRule(&v, "expires_in_days", *k.ExpiresInDays, 1, 365)
	}
	return v.Err()
}

// RefreshToken is a single-use credential that buys a new token pair. Tokens
// issued from one login form a family: replaying a used token revokes the family,
// because only a thief or a confused client would do that.
type RefreshToken struct {
	ID        int64
	UserID    int64
	Family    string
	Hash      []byte
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}
