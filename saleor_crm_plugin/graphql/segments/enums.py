import graphene

from ...segments import error_codes, warnings

CrmSegmentErrorCode = graphene.Enum.from_enum(error_codes.CrmSegmentErrorCode)
CrmSegmentWarningCode = graphene.Enum.from_enum(warnings.CrmSegmentWarningCode)
