from ninja import NinjaAPI

api = NinjaAPI(title="CareerRelay API", version="1", urls_namespace="api-v1")
