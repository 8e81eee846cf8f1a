import graphene

from ...profiles import error_codes

CrmCustomerErrorCode = graphene.Enum.from_enum(error_codes.CrmCustomerErrorCode)


class OrderDirection(graphene.Enum):
    ASC = "ASC"
    DESC = "DESC"

    @property
    def description(self):
        return (
            "Specifies an ascending sort order." if self == OrderDirection.ASC else "Specifies a descending sort order."
        )


class CrmCustomerSortField(graphene.Enum):
    EMAIL = "EMAIL"
    FIRST_NAME = "FIRST_NAME"
    LAST_NAME = "LAST_NAME"
    ORDERS_COUNT = "ORDERS_COUNT"
    SPENT = "SPENT"
    FIRST_ORDER_AT = "FIRST_ORDER_AT"
    LAST_ORDER_AT = "LAST_ORDER_AT"
    LAST_ACTIVITY_AT = "LAST_ACTIVITY_AT"
    JOINED_AT = "JOINED_AT"
    PREDICTED_CLV = "PREDICTED_CLV"
    CHURN_RISK = "CHURN_RISK"

    @property
    def description(self):
        if self == CrmCustomerSortField.SPENT:
            return "Sort by spend in the currency given by `filter.currency` (required)."
        if self in (CrmCustomerSortField.PREDICTED_CLV, CrmCustomerSortField.CHURN_RISK):
            what = "predicted lifetime value" if self == CrmCustomerSortField.PREDICTED_CLV else "churn risk"
            return (
                f"Sort by {what} in the currency given by `filter.currency` (required); customers without a "
                "prediction in it come first ascending, last descending."
            )
        return f"Sort customers by {self.name.lower().replace('_', ' ')}."
