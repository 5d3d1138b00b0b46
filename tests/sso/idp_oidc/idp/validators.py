from oauth2_provider.oauth2_validators import OAuth2Validator


class ClaimsValidator(OAuth2Validator):
    """Email, name and the Django groups (as ``groups``) in the id token and userinfo."""

    oidc_claim_scope = None  # every claim, whatever the scopes

    def get_additional_claims(self, request):  # noqa: ANN001, ANN201
        user = request.user
        return {
            "email": user.email,
            "email_verified": True,
            "name": user.get_full_name(),
            "groups": sorted(g.name for g in user.groups.all()),
        }
