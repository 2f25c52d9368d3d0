"""Type-checked by tests/test_typing.py with ``mypy --strict``: every event type narrows.

Each branch of ``handle`` narrows ``WebhookEvent`` on ``eventType`` and pins the types of its
fields; ``assert_never`` makes the chain exhaustive, so a new schema without a branch here fails.
``parse_event`` pins one overload per event type.
"""

from __future__ import annotations

from typing_extensions import assert_never, assert_type

from ecwid_mock import parse_event
from ecwid_mock.types import (
    ApplicationInstalled,
    ApplicationStorageChanged,
    ApplicationSubscriptionStatus,
    ApplicationSubscriptionStatusChanged,
    ApplicationUninstalled,
    CategoryCreated,
    CategoryDeleted,
    CategoryUpdated,
    CustomerCreated,
    CustomerDeleted,
    CustomerGroupCreated,
    CustomerGroupDeleted,
    CustomerGroupUpdated,
    CustomerPersonalDataExportRequest,
    CustomerPersonalDataRemovalRequest,
    CustomerUpdated,
    DiscountCouponCreated,
    DiscountCouponDeleted,
    DiscountCouponUpdated,
    FulfillmentStatus,
    InvoiceCreated,
    InvoiceDeleted,
    OrderCreated,
    OrderDeleted,
    OrderDeletedData,
    OrderUpdated,
    PaymentStatus,
    ProductClassCreated,
    ProductClassDeleted,
    ProductClassUpdated,
    ProductCreated,
    ProductDeleted,
    ProductUpdated,
    ProfilePersonalDataExportRequest,
    ProfilePersonalDataRemovalRequest,
    ProfileSubscriptionStatusChanged,
    ProfileUpdated,
    PromotionCreated,
    PromotionDeleted,
    PromotionUpdated,
    ReviewCreated,
    ReviewDeleted,
    ReviewStatus,
    ReviewUpdated,
    SizeChartCreated,
    SizeChartDeleted,
    SizeChartUpdated,
    UnfinishedOrderCreated,
    UnfinishedOrderCreatedData,
    UnfinishedOrderDeleted,
    UnfinishedOrderDeletedData,
    UnfinishedOrderUpdated,
    UnfinishedOrderUpdatedData,
    WebhookEvent,
)


def handle(event: WebhookEvent) -> None:
    if event["eventType"] == "application.installed":
        assert_type(event, ApplicationInstalled)
        assert_type(event["entityId"], str)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "application.storageChanged":
        assert_type(event, ApplicationStorageChanged)
        assert_type(event["entityId"], str)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "application.subscriptionStatusChanged":
        assert_type(event, ApplicationSubscriptionStatusChanged)
        assert_type(event["entityId"], str)
        assert_type(event["data"]["newSubscriptionStatus"], ApplicationSubscriptionStatus)
    elif event["eventType"] == "application.uninstalled":
        assert_type(event, ApplicationUninstalled)
        assert_type(event["entityId"], str)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "category.created":
        assert_type(event, CategoryCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "category.deleted":
        assert_type(event, CategoryDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "category.updated":
        assert_type(event, CategoryUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "customer.created":
        assert_type(event, CustomerCreated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["customerEmail"], str)
    elif event["eventType"] == "customer.deleted":
        assert_type(event, CustomerDeleted)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["customerEmail"], str)
    elif event["eventType"] == "customer.personalDataExportRequest":
        assert_type(event, CustomerPersonalDataExportRequest)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "customer.personalDataRemovalRequest":
        assert_type(event, CustomerPersonalDataRemovalRequest)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "customer.updated":
        assert_type(event, CustomerUpdated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["customerEmail"], str)
    elif event["eventType"] == "customer_group.created":
        assert_type(event, CustomerGroupCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "customer_group.deleted":
        assert_type(event, CustomerGroupDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "customer_group.updated":
        assert_type(event, CustomerGroupUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "discount_coupon.created":
        assert_type(event, DiscountCouponCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "discount_coupon.deleted":
        assert_type(event, DiscountCouponDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "discount_coupon.updated":
        assert_type(event, DiscountCouponUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "invoice.created":
        assert_type(event, InvoiceCreated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["orderId"], str)
    elif event["eventType"] == "invoice.deleted":
        assert_type(event, InvoiceDeleted)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["orderId"], str)
    elif event["eventType"] == "order.created":
        assert_type(event, OrderCreated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["newPaymentStatus"], PaymentStatus)
    elif event["eventType"] == "order.deleted":
        assert_type(event, OrderDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), OrderDeletedData | None)
    elif event["eventType"] == "order.updated":
        assert_type(event, OrderUpdated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["newFulfillmentStatus"], FulfillmentStatus)
    elif event["eventType"] == "product.created":
        assert_type(event, ProductCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "product.deleted":
        assert_type(event, ProductDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "product.updated":
        assert_type(event, ProductUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "product_class.created":
        assert_type(event, ProductClassCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "product_class.deleted":
        assert_type(event, ProductClassDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "product_class.updated":
        assert_type(event, ProductClassUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "profile.personalDataExportRequest":
        assert_type(event, ProfilePersonalDataExportRequest)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "profile.personalDataRemovalRequest":
        assert_type(event, ProfilePersonalDataRemovalRequest)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "profile.subscriptionStatusChanged":
        assert_type(event, ProfileSubscriptionStatusChanged)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["newSubscriptionName"], str)
    elif event["eventType"] == "profile.updated":
        assert_type(event, ProfileUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "promotion.created":
        assert_type(event, PromotionCreated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["version"], int)
    elif event["eventType"] == "promotion.deleted":
        assert_type(event, PromotionDeleted)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["version"], int)
    elif event["eventType"] == "promotion.updated":
        assert_type(event, PromotionUpdated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["version"], int)
    elif event["eventType"] == "review.created":
        assert_type(event, ReviewCreated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["status"], ReviewStatus)
    elif event["eventType"] == "review.deleted":
        assert_type(event, ReviewDeleted)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["productId"], int)
    elif event["eventType"] == "review.updated":
        assert_type(event, ReviewUpdated)
        assert_type(event["entityId"], int)
        assert_type(event["data"]["status"], ReviewStatus)
    elif event["eventType"] == "size_chart.created":
        assert_type(event, SizeChartCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "size_chart.deleted":
        assert_type(event, SizeChartDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "size_chart.updated":
        assert_type(event, SizeChartUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), dict[str, object] | None)
    elif event["eventType"] == "unfinished_order.created":
        assert_type(event, UnfinishedOrderCreated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), UnfinishedOrderCreatedData | None)
    elif event["eventType"] == "unfinished_order.deleted":
        assert_type(event, UnfinishedOrderDeleted)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), UnfinishedOrderDeletedData | None)
    elif event["eventType"] == "unfinished_order.updated":
        assert_type(event, UnfinishedOrderUpdated)
        assert_type(event["entityId"], int)
        assert_type(event.get("data"), UnfinishedOrderUpdatedData | None)
    else:
        assert_never(event)


def parsed(body: bytes) -> None:
    assert_type(parse_event(body, "application.installed"), ApplicationInstalled)
    assert_type(parse_event(body, "application.storageChanged"), ApplicationStorageChanged)
    assert_type(
        parse_event(body, "application.subscriptionStatusChanged"),
        ApplicationSubscriptionStatusChanged,
    )
    assert_type(parse_event(body, "application.uninstalled"), ApplicationUninstalled)
    assert_type(parse_event(body, "category.created"), CategoryCreated)
    assert_type(parse_event(body, "category.deleted"), CategoryDeleted)
    assert_type(parse_event(body, "category.updated"), CategoryUpdated)
    assert_type(parse_event(body, "customer.created"), CustomerCreated)
    assert_type(parse_event(body, "customer.deleted"), CustomerDeleted)
    assert_type(
        parse_event(body, "customer.personalDataExportRequest"), CustomerPersonalDataExportRequest
    )
    assert_type(
        parse_event(body, "customer.personalDataRemovalRequest"), CustomerPersonalDataRemovalRequest
    )
    assert_type(parse_event(body, "customer.updated"), CustomerUpdated)
    assert_type(parse_event(body, "customer_group.created"), CustomerGroupCreated)
    assert_type(parse_event(body, "customer_group.deleted"), CustomerGroupDeleted)
    assert_type(parse_event(body, "customer_group.updated"), CustomerGroupUpdated)
    assert_type(parse_event(body, "discount_coupon.created"), DiscountCouponCreated)
    assert_type(parse_event(body, "discount_coupon.deleted"), DiscountCouponDeleted)
    assert_type(parse_event(body, "discount_coupon.updated"), DiscountCouponUpdated)
    assert_type(parse_event(body, "invoice.created"), InvoiceCreated)
    assert_type(parse_event(body, "invoice.deleted"), InvoiceDeleted)
    assert_type(parse_event(body, "order.created"), OrderCreated)
    assert_type(parse_event(body, "order.deleted"), OrderDeleted)
    assert_type(parse_event(body, "order.updated"), OrderUpdated)
    assert_type(parse_event(body, "product.created"), ProductCreated)
    assert_type(parse_event(body, "product.deleted"), ProductDeleted)
    assert_type(parse_event(body, "product.updated"), ProductUpdated)
    assert_type(parse_event(body, "product_class.created"), ProductClassCreated)
    assert_type(parse_event(body, "product_class.deleted"), ProductClassDeleted)
    assert_type(parse_event(body, "product_class.updated"), ProductClassUpdated)
    assert_type(
        parse_event(body, "profile.personalDataExportRequest"), ProfilePersonalDataExportRequest
    )
    assert_type(
        parse_event(body, "profile.personalDataRemovalRequest"), ProfilePersonalDataRemovalRequest
    )
    assert_type(
        parse_event(body, "profile.subscriptionStatusChanged"), ProfileSubscriptionStatusChanged
    )
    assert_type(parse_event(body, "profile.updated"), ProfileUpdated)
    assert_type(parse_event(body, "promotion.created"), PromotionCreated)
    assert_type(parse_event(body, "promotion.deleted"), PromotionDeleted)
    assert_type(parse_event(body, "promotion.updated"), PromotionUpdated)
    assert_type(parse_event(body, "review.created"), ReviewCreated)
    assert_type(parse_event(body, "review.deleted"), ReviewDeleted)
    assert_type(parse_event(body, "review.updated"), ReviewUpdated)
    assert_type(parse_event(body, "size_chart.created"), SizeChartCreated)
    assert_type(parse_event(body, "size_chart.deleted"), SizeChartDeleted)
    assert_type(parse_event(body, "size_chart.updated"), SizeChartUpdated)
    assert_type(parse_event(body, "unfinished_order.created"), UnfinishedOrderCreated)
    assert_type(parse_event(body, "unfinished_order.deleted"), UnfinishedOrderDeleted)
    assert_type(parse_event(body, "unfinished_order.updated"), UnfinishedOrderUpdated)
    assert_type(parse_event(body), WebhookEvent)
