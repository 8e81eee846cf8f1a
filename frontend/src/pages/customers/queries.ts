import { graphql } from "../../gql";

/**
 * The 360 page's documents. The page itself is one request (`CustomerPage`, by either ID the
 * dashboard or the CRM uses) plus the support card's (`CustomerSupport`, by the CRM ID); paging the
 * timeline or the ledger re-reads only that card.
 */
export const TimelinePageFragment = graphql(`
  fragment TimelinePage on CrmTimelineEntryCountableConnection {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        kind
        occurredAt
        summary
      }
    }
  }
`);

export const LedgerPageFragment = graphql(`
  fragment LedgerPage on LoyaltyLedgerEntryCountableConnection {
    totalCount
    pageInfo {
      hasNextPage
      hasPreviousPage
      startCursor
      endCursor
    }
    edges {
      node {
        id
        kind
        points
        availableAfter
        pendingAfter
        reason
        rule
        occurredAt
      }
    }
  }
`);

export const SupportFragment = graphql(`
  fragment Support on Query {
    crmTickets(first: 5, filter: { customer: $customer }, sortBy: { field: LAST_MESSAGE_AT, direction: DESC }) {
      totalCount
      edges {
        node {
          id
          reference
          subject
          status
          priority
          lastMessageAt
        }
      }
    }
    crmMessages(first: 5, filter: { customer: $customer }) {
      totalCount
      edges {
        node {
          id
          subject
          flowName
          status
          sentAt
          sendAt
          openedAt
          clickedAt
        }
      }
    }
  }
`);

export const CustomerPageQuery = graphql(`
  query CustomerPage($id: ID!, $customer: ID!, $withSupport: Boolean!) {
    crmViewerPermissions
    ...Support @include(if: $withSupport)
    crmCustomerTimeline(customer: $id, first: 10) {
      ...TimelinePage
    }
    crmCustomerLookup(id: $id) {
      id
      email
      name
      isActive
      user {
        id
      }
      ordersCount
      cancellationsCount
      refundsCount
      spend {
        amount
        currency
        fractionalAmount
        fractionDigits
      }
      averageOrderValue {
        amount
        currency
        fractionalAmount
        fractionDigits
      }
      firstOrderAt
      lastOrderAt
      lastActivityAt
      joinedAt
      channels
      predictions {
        ...CustomerPredictionFields
      }
      favouriteCategories {
        id
        name
        quantity
      }
      favouriteProducts {
        id
        name
        quantity
      }
      attribution {
        firstTouch {
          source
          medium
          campaign
          at
          via
        }
        lastTouch {
          source
          medium
          campaign
          at
          via
        }
      }
      marketingConsent
      marketing {
        consent
        unsubscribed
        unsubscribedAt
        source
        canReceiveMarketing
      }
      tags
      notes {
        id
        message
        createdAt
      }
      segments {
        id
        name
        slug
      }
      nps
    }
    loyaltyAccount(customerId: $id) {
      available
      pending
      lifetime
      debt
      expiringPoints
      expiringAt
      tier {
        current {
          name
        }
        next {
          name
        }
        remaining
        progress
        basis
      }
      ledger(first: 5) {
        ...LedgerPage
      }
    }
  }
`);

export const CustomerTimelineQuery = graphql(`
  query CustomerTimeline(
    $id: ID!
    $categories: [CrmTimelineCategory!]
    $first: Int
    $after: String
    $last: Int
    $before: String
  ) {
    crmCustomerTimeline(
      customer: $id
      categories: $categories
      first: $first
      after: $after
      last: $last
      before: $before
    ) {
      ...TimelinePage
    }
  }
`);

export const CustomerLedgerQuery = graphql(`
  query CustomerLedger($id: ID!, $first: Int, $after: String, $last: Int, $before: String) {
    loyaltyAccount(customerId: $id) {
      ledger(first: $first, after: $after, last: $last, before: $before) {
        ...LedgerPage
      }
    }
  }
`);

export const CustomerSupportQuery = graphql(`
  query CustomerSupport($customer: ID!) {
    ...Support
  }
`);

export const TagsUpdate = graphql(`
  mutation CustomerTagsUpdate($id: ID!, $add: [String!], $remove: [String!]) {
    crmCustomerTagsUpdate(id: $id, addTags: $add, removeTags: $remove) {
      errors {
        field
        code
        message
      }
    }
  }
`);

export const NoteAdd = graphql(`
  mutation CustomerNoteAdd($id: ID!, $message: String!) {
    crmCustomerNoteAdd(id: $id, input: { message: $message }) {
      errors {
        field
        code
        message
      }
    }
  }
`);

export const NoteDelete = graphql(`
  mutation CustomerNoteDelete($id: ID!) {
    crmCustomerNoteDelete(id: $id) {
      errors {
        field
        code
        message
      }
    }
  }
`);

export const PointsAdjust = graphql(`
  mutation CustomerPointsAdjust($id: ID!, $points: Int!, $reason: String!) {
    loyaltyPointsAdjust(customerId: $id, points: $points, reason: $reason) {
      errors {
        field
        code
        message
      }
      account {
        available
      }
    }
  }
`);

export const ConsentUpdate = graphql(`
  mutation CustomerConsentUpdate($id: ID!, $consent: Boolean!) {
    crmCustomerConsentUpdate(id: $id, marketingConsent: $consent) {
      errors {
        field
        code
        message
      }
    }
  }
`);

export const MarketingUpdate = graphql(`
  mutation CustomerMarketingUpdate($id: ID!, $unsubscribed: Boolean!) {
    crmCustomerMarketingUpdate(id: $id, unsubscribed: $unsubscribed) {
      errors {
        field
        code
        message
      }
    }
  }
`);

export const CustomerExport = graphql(`
  mutation CustomerExport($id: ID!) {
    crmCustomerExport(id: $id) {
      errors {
        field
        code
        message
      }
      data
    }
  }
`);
