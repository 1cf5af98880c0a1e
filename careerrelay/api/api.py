from careerrelay.api.auth import EmployerKeyAuth
from careerrelay.api.errors import JsonErrorsAPI, install_error_handlers
from careerrelay.api.me import router as me_router

# Every operation needs an employer API key unless its router says otherwise.
api = JsonErrorsAPI(
    title="CareerRelay API",
    version="1",
    description="An employer's relay links and counts on CareerRelay. Send `Authorization: Bearer <key>`.",
    urls_namespace="api-v1",
    auth=EmployerKeyAuth(),
)
install_error_handlers(api)

api.add_router("", me_router)
api.add_router("", "careerrelay.api.applicants.router")
api.add_router("", "careerrelay.api.templates.router")
api.add_router("", "careerrelay.api.sends.router")
api.add_router("", "careerrelay.api.surveys.router")
api.add_router("", "careerrelay.api.followups.router")
api.add_router("", "careerrelay.api.integrations.router")
api.add_router("", "careerrelay.api.agency.router")
api.add_router("", "careerrelay.api.webhooks.router")
api.add_router("", "careerrelay.api.analytics.router")
