// Package omnivibe holds the domain of OmniVibe Pro: the types a marketing agency
// works with (accounts, clients, campaigns, contents, scripts, audio tasks, plans),
// their validation rules and the error codes of the API contract.
package omnivibe
