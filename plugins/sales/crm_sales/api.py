"""The sales REST API, mounted by the host under ``/api/v1/sales``.

Every view declares its permission with the host's ``require``; views working on one
lead or opportunity also apply the record rule (own / department / all) to it.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask.views import MethodView
from flask_login import current_user
from flask_smorest import Blueprint
from sqlalchemy.orm import Session, selectinload

from crm_host.sdk import User, get_host, may_reveal, require
from crm_host.sdk.customers import customer_service as customers
from crm_host.sdk.web import (
    check_if_match,
    documents_etag,
    documents_if_match,
    newest_first,
    send_etag,
    where_equal,
)
from crm_sales import (
    activities,
    assignment,
    crosssell,
    customer_prices,
    forecast,
    leads,
    orders,
    performance,
    pipeline,
    pricing,
    quotes,
    records,
    scoring,
    stages,
)
from crm_sales import permissions as p
from crm_sales import schemas as s
from crm_sales.models import (
    Activity,
    Lead,
    Opportunity,
    Order,
    PriceList,
    Product,
    Quote,
    QuoteStatus,
    Stage,
)

blp = Blueprint("api", __name__, description="Leads, opportunities, pipeline and orders")


def _session() -> Session:
    return get_host().session


def _user() -> User:
    return current_user.user


def _check_record(obj: Lead | Opportunity, permission: str) -> None:
    records.check(_session(), _user(), obj, permission)


def _visible(model: type[Lead] | type[Opportunity], permission: str) -> sa.ColumnElement[bool]:
    return records.visible(_session(), _user(), model, permission)


# --- leads ------------------------------------------------------------------------


@blp.route("/leads")
class Leads(MethodView):
    @require(p.LEADS_READ)
    @blp.arguments(s.LeadQuery, location="query")
    @blp.response(200, s.LeadPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List leads, newest first; filter by status, owner or source."""
        query = sa.select(Lead).where(_visible(Lead, p.LEADS_READ))
        query = where_equal(query, Lead, args, ("status", "owner_id", "source"))
        return newest_first(_session(), query, Lead, args)

    @require(p.LEADS_WRITE)
    @blp.arguments(s.LeadIn)
    @blp.response(201, s.LeadOut)
    def post(self, data: dict[str, Any]) -> Lead:
        """Capture a lead: it is scored, and assigned in turn when it has no owner."""
        session = _session()
        lead = leads.create_lead(session, data, actor=_user())
        session.commit()
        return lead


@blp.route("/leads/<id:lead_id>")
class LeadResource(MethodView):
    @require(p.LEADS_READ, record=True)
    @blp.response(200, s.LeadOut)
    @documents_etag(blp)
    def get(self, lead_id: int) -> Lead:
        """One lead."""
        lead = leads.get_lead(_session(), lead_id)
        _check_record(lead, p.LEADS_READ)
        return send_etag(lead)

    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.LeadIn(partial=True))
    @blp.response(200, s.LeadOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], lead_id: int) -> Lead:
        """Change a lead's fields; the score is recomputed."""
        session = _session()
        lead = leads.get_lead(session, lead_id)
        _check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        leads.update_lead(session, lead, data, actor=_user())
        session.commit()
        return send_etag(lead)


@blp.route("/leads/<id:lead_id>/status")
class LeadStatusChange(MethodView):
    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.LeadStatusIn)
    @blp.response(200, s.LeadOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], lead_id: int) -> Lead:
        """Move a lead along new → contacted → qualified, or disqualify it with a reason."""
        session = _session()
        lead = leads.get_lead(session, lead_id)
        _check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        leads.set_status(session, lead, data["status"], reason=data.get("reason"), actor=_user())
        session.commit()
        return send_etag(lead)


@blp.route("/leads/<id:lead_id>/duplicates")
class LeadDuplicates(MethodView):
    @require(p.LEADS_READ, record=True)
    @blp.response(200, s.CustomerRef(many=True))
    def get(self, lead_id: int) -> list[Any]:
        """Customers sharing the lead's email or phone, to convert into instead."""
        session = _session()
        lead = leads.get_lead(session, lead_id)
        _check_record(lead, p.LEADS_READ)
        # Matching by phone would be a phone-number oracle for users without reveal.
        return leads.duplicates(session, lead, by_phone=may_reveal())


@blp.route("/leads/<id:lead_id>/convert")
class LeadConversion(MethodView):
    @require(p.LEADS_WRITE, record=True)
    @blp.arguments(s.ConvertIn)
    @blp.response(201, s.ConversionOut)
    @documents_if_match(blp, None)
    def post(self, data: dict[str, Any], lead_id: int) -> dict[str, Any]:
        """Convert a qualified lead into a customer and an opportunity, in one transaction."""
        session = _session()
        lead = leads.get_lead(session, lead_id)
        _check_record(lead, p.LEADS_WRITE)
        check_if_match(lead)
        customer, opportunity = leads.convert(session, lead, data, actor=_user())
        session.commit()
        return {"lead": lead, "customer": customer, "opportunity": opportunity}


# --- pipeline -------------------------------------------------------------------------


@blp.route("/stages")
class Stages(MethodView):
    @require(p.STAGES_READ)
    @blp.response(200, s.StageOut(many=True))
    def get(self) -> list[Stage]:
        """The pipeline stages in board order, with their default probability."""
        return pipeline.stages(_session())

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.StageIn)
    @blp.response(201, s.StageOut)
    def post(self, data: dict[str, Any]) -> Stage:
        """Add a pipeline stage."""
        session = _session()
        stage = stages.create_stage(session, data, actor=_user())
        session.commit()
        return stage


@blp.route("/stages/<id:stage_id>")
class StageResource(MethodView):
    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.StagePatch)
    @blp.response(200, s.StageOut)
    def patch(self, data: dict[str, Any], stage_id: int) -> Stage:
        """Rename, reorder or re-weigh a stage; its code stays."""
        session = _session()
        stage = stages.update_stage(
            session, stages.get_stage(session, stage_id), data, actor=_user()
        )
        session.commit()
        return stage


@blp.route("/scoring-rules")
class ScoringRules(MethodView):
    @require(p.LEADS_READ)
    @blp.response(200, s.ScoringRuleOut(many=True))
    def get(self) -> list[Any]:
        """The lead-scoring rules in force."""
        return scoring.active_rules(_session())

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.ScoringRuleIn)
    @blp.response(201, s.ScoringRuleOut)
    def post(self, data: dict[str, Any]) -> Any:
        """Add a lead-scoring rule; the leads being worked are rescored."""
        session = _session()
        rule = scoring.add_rule(session, data)
        scoring.rescore_all(session)
        session.commit()
        return rule


@blp.route("/departments/<id:department_id>/assignment")
class DepartmentAssignment(MethodView):
    @require(p.LEADS_READ)
    @blp.response(200, s.AssignmentOut)
    def get(self, department_id: int) -> dict[str, Any]:
        """How the department's leads are assigned, with each seller's load and capacity."""
        return assignment.overview(_session(), department_id)

    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.AssignmentIn)
    @blp.response(200, s.AssignmentOut)
    def post(self, data: dict[str, Any], department_id: int) -> dict[str, Any]:
        """Choose round-robin or least-loaded assignment for the department."""
        session = _session()
        assignment.set_method(session, department_id, data["method"])
        session.commit()
        return assignment.overview(session, department_id)


@blp.route("/users/<id:user_id>/capacity")
class SellerCapacity(MethodView):
    @require(p.SETTINGS_MANAGE)
    @blp.arguments(s.CapacityIn)
    @blp.response(200, s.CapacityIn)
    def post(self, data: dict[str, Any], user_id: int) -> dict[str, Any]:
        """Cap the open leads and opportunities least-loaded assignment gives the user."""
        session = _session()
        assignment.set_capacity(session, user_id, data["capacity"])
        session.commit()
        return {"capacity": data["capacity"]}


@blp.route("/pipeline")
class Pipeline(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.StageFiguresOut(many=True))
    def get(self) -> list[Any]:
        """Open deals per stage: count, value and weighted value per currency."""
        return forecast.pipeline_summary(_session(), _visible(Opportunity, p.OPPORTUNITIES_READ))


@blp.route("/forecast")
class Forecast(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.ForecastRowOut(many=True))
    def get(self) -> list[Any]:
        """Weighted value of open deals by expected close month and currency."""
        return forecast.forecast(_session(), _visible(Opportunity, p.OPPORTUNITIES_READ))


@blp.route("/performance")
class Performance(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.response(200, s.PerformanceOut)
    def get(self) -> dict[str, Any]:
        """The stage funnel, the win rate and the mean days from opening to winning."""
        session = _session()
        return {
            "funnel": performance.funnel(session),
            "win_rate": performance.win_rate(session),
            "average_cycle_days": performance.average_cycle_days(session),
        }


@blp.route("/opportunities")
class Opportunities(MethodView):
    @require(p.OPPORTUNITIES_READ)
    @blp.arguments(s.OpportunityQuery, location="query")
    @blp.response(200, s.OpportunityPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List opportunities, newest first; filter by status, stage, customer or owner."""
        query = sa.select(Opportunity).where(_visible(Opportunity, p.OPPORTUNITIES_READ))
        query = where_equal(query, Opportunity, args, ("status", "customer_id", "owner_id"))
        if args.get("stage"):
            query = query.join(Stage, Stage.id == Opportunity.stage_id).where(
                Stage.code == args["stage"]
            )
        return newest_first(_session(), query, Opportunity, args)

    @require(p.OPPORTUNITIES_WRITE)
    @blp.arguments(s.OpportunityIn)
    @blp.response(201, s.OpportunityOut)
    def post(self, data: dict[str, Any]) -> Opportunity:
        """Open an opportunity (in the first open stage unless ``stage`` says otherwise)."""
        session = _session()
        opportunity = pipeline.create_opportunity(session, data, actor=_user())
        session.commit()
        return opportunity


def _opportunity(opportunity_id: int, permission: str) -> Opportunity:
    opportunity = pipeline.get_opportunity(_session(), opportunity_id)
    _check_record(opportunity, permission)
    if permission == p.OPPORTUNITIES_WRITE:
        # Every write route changes the opportunity: If-Match guards them all.
        check_if_match(opportunity)
    return opportunity


@blp.route("/opportunities/<id:opportunity_id>")
class OpportunityResource(MethodView):
    @require(p.OPPORTUNITIES_READ, record=True)
    @blp.response(200, s.OpportunityOut)
    @documents_etag(blp)
    def get(self, opportunity_id: int) -> Opportunity:
        """One opportunity; ``ETag`` names its version."""
        return send_etag(_opportunity(opportunity_id, p.OPPORTUNITIES_READ))

    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.OpportunityPatch)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def patch(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Change an opportunity's amount, close date, owner…; its stage has its own route."""
        session = _session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.update_opportunity(session, opportunity, data, actor=_user())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/stage")
class OpportunityStage(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.StageChangeIn)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Move an opportunity to another stage; the change is kept in its history."""
        session = _session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        stage = pipeline.find_stage(session, data["stage"])
        pipeline.change_stage(
            session, opportunity, stage, actor=_user(), lost_reason=data.get("lost_reason")
        )
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/won")
class OpportunityWon(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, opportunity_id: int) -> Opportunity:
        """Close an opportunity as won."""
        session = _session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.win(session, opportunity, actor=_user())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/lost")
class OpportunityLost(MethodView):
    @require(p.OPPORTUNITIES_WRITE, record=True)
    @blp.arguments(s.LostIn)
    @blp.response(200, s.OpportunityOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], opportunity_id: int) -> Opportunity:
        """Close an opportunity as lost, saying why."""
        session = _session()
        opportunity = _opportunity(opportunity_id, p.OPPORTUNITIES_WRITE)
        pipeline.lose(session, opportunity, data["reason"], actor=_user())
        session.commit()
        return send_etag(opportunity)


@blp.route("/opportunities/<id:opportunity_id>/history")
class OpportunityHistory(MethodView):
    @require(p.OPPORTUNITIES_READ, record=True)
    @blp.response(200, s.StageChangeOut(many=True))
    def get(self, opportunity_id: int) -> list[Any]:
        """Every stage change of the opportunity, oldest first."""
        _opportunity(opportunity_id, p.OPPORTUNITIES_READ)
        return pipeline.history(_session(), opportunity_id)


# --- products and orders ------------------------------------------------------------------


@blp.route("/products")
class Products(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.ProductOut(many=True))
    def get(self) -> list[Product]:
        """Every product, by code."""
        return list(_session().scalars(sa.select(Product).order_by(Product.code).limit(1000)))

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.ProductIn)
    @blp.response(201, s.ProductOut)
    def post(self, data: dict[str, Any]) -> Product:
        """Add a product with its list price."""
        session = _session()
        product = orders.create_product(session, data)
        session.commit()
        return product


@blp.route("/orders")
class Orders(MethodView):
    @require(p.ORDERS_READ)
    @blp.arguments(s.OrderQuery, location="query")
    @blp.response(200, s.OrderPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List orders, newest first; filter by customer."""
        query = sa.select(Order).options(selectinload(Order.lines))
        query = where_equal(query, Order, args, ("customer_id",))
        return newest_first(_session(), query, Order, args)

    @require(p.ORDERS_WRITE)
    @blp.arguments(s.OrderIn)
    @blp.response(201, s.OrderOut)
    def post(self, data: dict[str, Any]) -> Order:
        """Record an order; its amount is the sum of its lines."""
        session = _session()
        order = orders.create_order(session, data, actor=_user())
        session.commit()
        return order


@blp.route("/orders/<id:order_id>")
class OrderResource(MethodView):
    @require(p.ORDERS_READ)
    @blp.response(200, s.OrderOut)
    def get(self, order_id: int) -> Order:
        """One order with its lines."""
        return orders.get_order(_session(), order_id)


# --- price lists and quotes ---------------------------------------------------------------


@blp.route("/price-lists")
class PriceLists(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.PriceListOut(many=True))
    def get(self) -> list[PriceList]:
        """Every price list with its prices, by code."""
        query = sa.select(PriceList).options(selectinload(PriceList.prices))
        return list(_session().scalars(query.order_by(PriceList.code).limit(1000)))

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.PriceListIn)
    @blp.response(201, s.PriceListOut)
    def post(self, data: dict[str, Any]) -> PriceList:
        """Add a price list; the first one, or one flagged ``is_default``, is the default."""
        session = _session()
        price_list = pricing.create_price_list(session, data)
        session.commit()
        return price_list


@blp.route("/price-lists/<id:price_list_id>")
class PriceListResource(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.PriceListOut)
    def get(self, price_list_id: int) -> PriceList:
        """One price list with its prices."""
        return pricing.get_price_list(_session(), price_list_id)


@blp.route("/price-lists/<id:price_list_id>/prices")
class PriceListPrices(MethodView):
    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.PriceIn)
    @blp.response(200, s.PriceListOut)
    def post(self, data: dict[str, Any], price_list_id: int) -> PriceList:
        """Put a product on the list at a unit price, or change its price there."""
        session = _session()
        price_list = pricing.get_price_list(session, price_list_id)
        pricing.set_price(session, price_list, data["product_id"], data["unit_price"])
        session.commit()
        session.refresh(price_list)
        return price_list


@blp.route("/customers/<id:customer_id>/price-list")
class CustomerPriceListResource(MethodView):
    @require(p.PRODUCTS_READ)
    @blp.response(200, s.CustomerPriceListOut)
    def get(self, customer_id: int) -> dict[str, Any]:
        """The customer's own price list (``null``: quotes use the default list)."""
        session = _session()
        customer = customers.get_customer(session, customer_id)
        return {
            "customer_id": customer.id,
            "price_list": customer_prices.list_of(session, customer.id),
        }

    @require(p.PRODUCTS_WRITE)
    @blp.arguments(s.CustomerPriceListIn)
    @blp.response(200, s.CustomerPriceListOut)
    def put(self, data: dict[str, Any], customer_id: int) -> dict[str, Any]:
        """Give the customer a price list of their own, or take it away with ``null``."""
        session = _session()
        customer = customers.get_customer(session, customer_id)
        price_list = customer_prices.assign(session, customer, data["price_list_id"], actor=_user())
        session.commit()
        return {"customer_id": customer.id, "price_list": price_list}


@blp.route("/quotes")
class Quotes(MethodView):
    @require(p.QUOTES_READ)
    @blp.arguments(s.QuoteQuery, location="query")
    @blp.response(200, s.QuotePage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List quotes, newest first; filter by customer or status."""
        query = sa.select(Quote).options(selectinload(Quote.lines))
        query = where_equal(query, Quote, args, ("customer_id",))
        if args.get("status"):
            query = query.where(Quote.status == QuoteStatus(args["status"]))
        return newest_first(_session(), query, Quote, args)

    @require(p.QUOTES_WRITE)
    @blp.arguments(s.QuoteIn)
    @blp.response(201, s.QuoteOut)
    def post(self, data: dict[str, Any]) -> Quote:
        """Make a draft quote priced from the chosen price list (or the default one)."""
        session = _session()
        quote = quotes.create_quote(session, data, actor=_user())
        session.commit()
        return quote


@blp.route("/quotes/<id:quote_id>")
class QuoteResource(MethodView):
    @require(p.QUOTES_READ)
    @blp.response(200, s.QuoteOut)
    @documents_etag(blp)
    def get(self, quote_id: int) -> Quote:
        """One quote with its lines and totals; ``ETag`` names its version."""
        return send_etag(quotes.get_quote(_session(), quote_id))


@blp.route("/quotes/<id:quote_id>/status")
class QuoteStatusChange(MethodView):
    @require(p.QUOTES_WRITE)
    @blp.arguments(s.QuoteStatusIn)
    @blp.response(200, s.QuoteOut)
    @documents_if_match(blp)
    def post(self, data: dict[str, Any], quote_id: int) -> Quote:
        """Send, accept, reject or expire a quote; accepting records its order."""
        session = _session()
        quote = quotes.get_quote(session, quote_id)
        check_if_match(quote)
        quotes.set_status(session, quote, data["status"], actor=_user())
        session.commit()
        return send_etag(quote)


# --- cross-sell -------------------------------------------------------------------------------


def _codes(session: Session) -> dict[int, Product]:
    return {p.id: p for p in session.scalars(sa.select(Product))}


@blp.route("/rules")
class Rules(MethodView):
    @require(p.ORDERS_READ)
    @blp.arguments(s.RulesQuery, location="query")
    @blp.response(200, s.RuleOut(many=True))
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Association rules mined from the products of every order, strongest first."""
        session = _session()
        products = _codes(session)
        mined = crosssell.mine(session, args["min_support"], args["min_confidence"])
        return [
            {
                "antecedent": sorted(products[i].code for i in rule.antecedent),
                "consequent": sorted(products[i].code for i in rule.consequent),
                "support": rule.support,
                "confidence": rule.confidence,
                "lift": rule.lift,
            }
            for rule in mined[: args["limit"]]
        ]


@blp.route("/customers/<id:customer_id>/recommendations")
class Recommendations(MethodView):
    @require(p.ORDERS_READ)
    @blp.response(200, s.RecommendationOut(many=True))
    def get(self, customer_id: int) -> list[dict[str, Any]]:
        """Products the customer has not bought that customers buying the same bought too."""
        session = _session()
        customers.get_customer(session, customer_id)
        return crosssell.recommendations_for(session, customer_id)


# --- activities -------------------------------------------------------------------------------


@blp.route("/activities")
class Activities(MethodView):
    @require(p.ACTIVITIES_READ)
    @blp.arguments(s.ActivityQuery, location="query")
    @blp.response(200, s.ActivityPage)
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """List activities, newest first; filter by owner, customer, or still open."""
        query = where_equal(sa.select(Activity), Activity, args, ("owner_id", "customer_id"))
        if args.get("open") is not None:
            query = query.where(
                Activity.done_at.is_(None) if args["open"] else Activity.done_at.is_not(None)
            )
        return newest_first(_session(), query, Activity, args)

    @require(p.ACTIVITIES_WRITE)
    @blp.arguments(s.ActivityIn)
    @blp.response(201, s.ActivityOut)
    def post(self, data: dict[str, Any]) -> Activity:
        """Plan a call, meeting or task about a customer, a lead or an opportunity."""
        session = _session()
        activity = activities.create_activity(session, data, actor=_user())
        session.commit()
        return activity


@blp.route("/activities/<id:activity_id>/done")
class ActivityDone(MethodView):
    @require(p.ACTIVITIES_WRITE)
    @blp.response(200, s.ActivityOut)
    def post(self, activity_id: int) -> Activity:
        """Mark an activity done; it goes on its customer's timeline."""
        session = _session()
        activity = activities.complete(
            session, activities.get_activity(session, activity_id), actor=_user()
        )
        session.commit()
        return activity
