package httpapi

// registerRoutes is the whole API. Patterns without a trailing slash also
// answer with one (ServeHTTP strips it), never with a redirect.
func (s *Server) registerRoutes() {
	// Operations.
	s.public("GET /healthz", s.healthz)
	s.public("GET /readyz", s.readyz)
	s.public("GET /openapi.json", s.openapi)
	s.public("GET /docs", s.docs)
	s.public("GET /docs/{asset}", s.docsAsset)
	s.public("GET /metrics", s.serveMetrics)

	// Accounts and authentication.
	s.public("POST /api/v1/auth/register", s.register)
	s.public("POST /api/v1/auth/login", s.login)
	s.public("POST /api/v1/auth/refresh", s.refresh)
	s.authed("GET /api/v1/auth/me", s.me)
	s.authed("POST /api/v1/auth/api-keys", s.createAPIKey)
	s.authed("GET /api/v1/auth/api-keys", s.listAPIKeys)
	s.authed("DELETE /api/v1/auth/api-keys/{id}", s.revokeAPIKey)

	s.authed("GET /api/v1/account", s.getAccount)
	s.authed("PATCH /api/v1/account", s.updateAccount)
	s.authed("GET /api/v1/account/users", s.listMembers)
	s.authed("POST /api/v1/account/users", s.addMember)
	s.authed("PATCH /api/v1/account/users/{id}", s.updateMember)
	s.authed("DELETE /api/v1/account/users/{id}", s.removeMember)

	// Clients.
	s.authed("POST /api/v1/clients", s.createClient)
	s.authed("GET /api/v1/clients", s.listClients)
	s.authed("GET /api/v1/clients/{id}", s.getClient)
	s.authed("PATCH /api/v1/clients/{id}", s.updateClient)
	s.authed("DELETE /api/v1/clients/{id}", s.deleteClient)

	// Campaigns.
	s.authed("GET /api/v1/campaigns", s.listCampaigns)
	s.authed("POST /api/v1/campaigns", s.createCampaign)
	s.authed("GET /api/v1/campaigns/{id}", s.getCampaign)
	s.authed("PATCH /api/v1/campaigns/{id}", s.updateCampaign)
	s.authed("DELETE /api/v1/campaigns/{id}", s.deleteCampaign)

	// Contents.
	s.authed("POST /api/v1/campaigns/{id}/contents", s.createContent)
	s.authed("GET /api/v1/campaigns/{id}/contents", s.listContents)
	s.authed("GET /api/v1/contents/{id}", s.getContent)
	s.authed("PATCH /api/v1/contents/{id}", s.updateContent)
	s.authed("DELETE /api/v1/contents/{id}", s.deleteContent)
	s.authed("GET /api/v1/contents/{id}/script", s.getContentScript)

	// Script writer.
	s.authed("POST /api/v1/writer/generate", s.generateScript)
	s.authed("POST /api/v1/writer/duration", s.estimateDuration)

	// Voice-overs.
	s.authed("POST /api/v1/audio/generate", s.generateAudio)
	s.authed("GET /api/v1/audio/status/{task_id}", s.audioStatus)
	s.authed("GET /api/v1/audio/download/{task_id}", s.downloadAudio)
	s.authed("DELETE /api/v1/audio/{task_id}", s.cancelAudio)
	s.authed("GET /api/v1/audio", s.listAudio)
	s.authed("POST /api/v1/audio/verify", s.verifyAudio)

	// Billing.
	s.public("GET /api/v1/billing/plans", s.listPlans)
	s.authed("GET /api/v1/billing/usage", s.getUsage)
	s.authed("PUT /api/v1/billing/plan", s.changePlan)

	// Webhooks (owner or admin).
	s.authed("POST /api/v1/webhooks", s.createWebhook)
	s.authed("GET /api/v1/webhooks", s.listWebhooks)
	s.authed("GET /api/v1/webhooks/{id}", s.getWebhook)
	s.authed("PATCH /api/v1/webhooks/{id}", s.updateWebhook)
	s.authed("DELETE /api/v1/webhooks/{id}", s.deleteWebhook)
	s.authed("POST /api/v1/webhooks/{id}/rotate-secret", s.rotateWebhookSecret)
	s.authed("POST /api/v1/webhooks/{id}/test", s.testWebhook)
	s.authed("GET /api/v1/webhooks/{id}/deliveries", s.listWebhookDeliveries)
	s.authed("POST /api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", s.retryWebhookDelivery)
	// Providers: each configured writer, synthesizer and recognizer, and its health.
	s.authed("GET /api/v1/providers", s.listProviders)
	// The studio (internal/web): the console's page and assets, and its
	// cookie sessions. The page calls the routes above like any client.
	s.public("GET /{$}", s.studioIndex)
	s.public("GET /studio/assets/{asset}", s.studioAsset)
	s.public("POST /studio/session", s.studioSignIn)
	s.public("POST /studio/session/register", s.studioSignUp)
	s.public("POST /studio/session/refresh", s.studioRefresh)
	s.public("DELETE /studio/session", s.studioSignOut)
	// A script edited in the studio, stored as the content's latest.
	s.authed("PUT /api/v1/contents/{id}/script", s.saveContentScript)
}
