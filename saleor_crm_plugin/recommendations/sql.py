"""The PostgreSQL statements of recommendations, in one place: JSONB lines, temporary tables, windows.

A rebuild reads the training orders' lines once into ``crm_reco_basket`` (one row per order and
distinct product, with names), writes the products, and from then on works on their integer keys:
``crm_reco_lines`` (order, product key), ``crm_reco_owned`` (customer, product key) and
``crm_reco_neighbour`` (a product's best pairs), so the self-joins and per-customer sorts compare
integers, not Saleor ID strings. The temporary tables are dropped when the rebuild's transaction
ends; every statement reads them, so the training set is chosen in one place.
"""

from __future__ import annotations

# Orders (or customers) with more distinct products than this make no pairs: a wholesale basket
# would add its square of pairs and say little about what goes together. They still count as sales.
MAX_ITEMS = 100
# Neighbours kept per product and kind (enough for the API's largest page), and how many of a product's
# best ones score a customer: the usual item-kNN cut, which keeps each customer's candidates few.
NEIGHBOURS = 100
SCORING_NEIGHBOURS = 20

# A second rebuild inside one outer transaction replaces the first one's temporary tables.
DROP_TEMPORARY = "DROP TABLE IF EXISTS crm_reco_basket, crm_reco_lines, crm_reco_owned, crm_reco_neighbour"
# param: none; ``{training}`` is the SQL of the training orders (id, profile_id, placed_at, lines).
BASKET = """
CREATE TEMPORARY TABLE crm_reco_basket ON COMMIT DROP AS
SELECT DISTINCT ON (o.id, line->>'product_id')
       o.id AS order_id, o.profile_id, o.placed_at, line->>'product_id' AS product_id,
       COALESCE(line->>'product_name', '') AS name, COALESCE(line->>'category_id', '') AS category_id,
       COALESCE(line->>'category_name', '') AS category_name
FROM ({training}) AS o
CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(o.lines) WHEN 'array' THEN o.lines ELSE '[]' END) AS line
WHERE COALESCE(line->>'product_id', '') <> ''
ORDER BY o.id, line->>'product_id'
"""

CLEAR = ["DELETE FROM crm_reco_customer", "DELETE FROM crm_reco_pair", "DELETE FROM crm_reco_product"]

# The latest name of each product and category, popularity by orders (then buyers), overall and per category.
PRODUCTS = """
INSERT INTO crm_reco_product (product_id, name, category_id, category_name, orders_count, buyers_count,
                              popularity_rank, category_rank)
SELECT product_id, name, category_id, category_name, orders, buyers,
       ROW_NUMBER() OVER (ORDER BY orders DESC, buyers DESC, product_id),
       ROW_NUMBER() OVER (PARTITION BY category_id ORDER BY orders DESC, buyers DESC, product_id)
FROM (
    SELECT product_id, COUNT(*) AS orders, COUNT(DISTINCT profile_id) AS buyers,
           (ARRAY_AGG(name ORDER BY placed_at DESC, order_id DESC))[1] AS name,
           (ARRAY_AGG(category_id ORDER BY placed_at DESC, order_id DESC))[1] AS category_id,
           (ARRAY_AGG(category_name ORDER BY placed_at DESC, order_id DESC))[1] AS category_name
    FROM crm_reco_basket GROUP BY product_id
) AS sold
"""
KEYED = [
    """
    CREATE TEMPORARY TABLE crm_reco_lines ON COMMIT DROP AS
    SELECT b.order_id, b.profile_id, p.id AS product, COUNT(*) OVER (PARTITION BY b.order_id) AS items
    FROM crm_reco_basket b JOIN crm_reco_product p ON p.product_id = b.product_id
    """,
    """
    CREATE TEMPORARY TABLE crm_reco_owned ON COMMIT DROP AS
    SELECT profile_id, product, COUNT(*) AS orders, COUNT(*) OVER (PARTITION BY profile_id) AS items
    FROM crm_reco_lines GROUP BY profile_id, product
    """,
    "CREATE UNIQUE INDEX ON crm_reco_owned (profile_id, product)",
    "CREATE TEMPORARY TABLE crm_reco_neighbour (kind VARCHAR(8), product BIGINT, other BIGINT, together INTEGER,"
    " score DOUBLE PRECISION, nth INTEGER) ON COMMIT DROP",
    "ANALYZE crm_reco_lines",  # autovacuum never analyses temporary tables: the planner needs their sizes
    "ANALYZE crm_reco_owned",
    "ANALYZE crm_reco_product",
]


def pairs_sql(kind: str) -> tuple[str, str]:
    """Co-purchases by order (``order``) or by customer (``customer``), cosine-scored (param: min support).

    A self-join on the group's key: every ordered pair of distinct products in one order (or bought by
    one customer), counted; pairs below the support and past a product's best ``NEIGHBOURS`` are
    dropped. Kept as integer keys for scoring customers, and stored with Saleor IDs for the API.
    """
    table, group, size = {
        "order": ("crm_reco_lines", "order_id", "orders_count"),
        "customer": ("crm_reco_owned", "profile_id", "buyers_count"),
    }[kind]
    return (
        f"""
INSERT INTO crm_reco_neighbour (kind, product, other, together, score, nth)
SELECT '{kind}', product, other, together, score, nth FROM (
    SELECT c.product, c.other, c.together, s.score,
           ROW_NUMBER() OVER (PARTITION BY c.product ORDER BY s.score DESC, c.together DESC, c.other) AS nth
    FROM (
        SELECT x.product, y.product AS other, COUNT(*) AS together
        FROM {table} x JOIN {table} y ON y.{group} = x.{group} AND y.product <> x.product
        WHERE x.items <= {MAX_ITEMS}
        GROUP BY x.product, y.product
        HAVING COUNT(*) >= %s
    ) AS c
    JOIN crm_reco_product a ON a.id = c.product
    JOIN crm_reco_product b ON b.id = c.other
    CROSS JOIN LATERAL (SELECT c.together / SQRT(CAST(a.{size} AS DOUBLE PRECISION) * b.{size}) AS score) AS s
) AS ranked
WHERE nth <= {NEIGHBOURS}
""",
        f"""
INSERT INTO crm_reco_pair (kind, product_id, other_id, together, score, nth)
SELECT n.kind, a.product_id, b.product_id, n.together, ROUND(CAST(n.score AS NUMERIC), 6), n.nth
FROM crm_reco_neighbour n JOIN crm_reco_product a ON a.id = n.product JOIN crm_reco_product b ON b.id = n.other
WHERE n.kind = '{kind}'
""",
    )


ANALYZE_NEIGHBOURS = "ANALYZE crm_reco_neighbour"

# Each buyer's top N (params: N x3): products similar customers bought, scored by the summed
# customer-pair cosines to what they bought ('bought_together' when one is also an order companion of
# something they bought); then best sellers of their (up to two) favourite categories; then the
# store's best sellers. Never a product they bought; anonymised profiles get none.
CUSTOMERS = f"""
WITH buyers AS (
    SELECT o.profile_id, MAX(o.items) AS items FROM crm_reco_owned o
    JOIN crm_customer_profile p ON p.id = o.profile_id AND p.anonymised_at IS NULL
    GROUP BY o.profile_id
), scored AS (
    SELECT o.profile_id, n.other AS product,
           SUM(n.score) FILTER (WHERE n.kind = 'customer') AS score, BOOL_OR(n.kind = 'order') AS together
    FROM crm_reco_owned o
    JOIN buyers USING (profile_id)
    JOIN crm_reco_neighbour n ON n.product = o.product AND n.nth <= {SCORING_NEIGHBOURS}
    GROUP BY o.profile_id, n.other
), favourite AS (
    SELECT profile_id, category_id FROM (
        SELECT o.profile_id, p.category_id,
               ROW_NUMBER() OVER (PARTITION BY o.profile_id ORDER BY SUM(o.orders) DESC, p.category_id) AS nth
        FROM crm_reco_owned o JOIN buyers USING (profile_id)
        JOIN crm_reco_product p ON p.id = o.product
        WHERE p.category_id <> ''
        GROUP BY o.profile_id, p.category_id
    ) AS ranked WHERE nth <= 2
), candidates AS (
    SELECT profile_id, product, 1 AS tier, score,
           CASE WHEN together THEN 'bought_together' ELSE 'similar_customers' END AS reason
    FROM scored WHERE score IS NOT NULL
    UNION ALL
    SELECT f.profile_id, p.id, 2, 0, 'category'
    FROM favourite f JOIN crm_reco_product p ON p.category_id = f.category_id AND p.category_rank <= %s
    UNION ALL
    SELECT b.profile_id, p.id, 3, 0, 'popular'
    FROM buyers b JOIN crm_reco_product p ON p.popularity_rank <= %s + b.items
), fresh AS (
    SELECT DISTINCT ON (c.profile_id, c.product) c.*
    FROM candidates c
    WHERE NOT EXISTS (SELECT 1 FROM crm_reco_owned o WHERE o.profile_id = c.profile_id AND o.product = c.product)
    ORDER BY c.profile_id, c.product, c.tier
), ranked AS (
    SELECT f.profile_id, f.product, f.score, f.reason,
           ROW_NUMBER() OVER (PARTITION BY f.profile_id ORDER BY f.tier, f.score DESC, p.popularity_rank) AS nth
    FROM fresh f JOIN crm_reco_product p ON p.id = f.product
)
INSERT INTO crm_reco_customer (profile_id, rank, product_id, name, category_id, category_name, score, reason)
SELECT r.profile_id, r.nth, p.product_id, p.name, p.category_id, p.category_name,
       ROUND(CAST(r.score AS NUMERIC), 6), r.reason
FROM ranked r JOIN crm_reco_product p ON p.id = r.product
WHERE r.nth <= %s
"""

# -- offline evaluation ------------------------------------------------------------------------------

# Every customer's last counted order, for customers with two or more ({counted}: counted orders' SQL).
DROP_EVALUATION = "DROP TABLE IF EXISTS crm_reco_holdout, crm_reco_held, crm_reco_baseline"
HOLDOUT = """
CREATE TEMPORARY TABLE crm_reco_holdout ON COMMIT DROP AS
SELECT profile_id, id AS order_id FROM (
    SELECT o.profile_id, o.id,
           ROW_NUMBER() OVER (PARTITION BY o.profile_id ORDER BY o.placed_at DESC, o.id DESC) AS nth,
           COUNT(*) OVER (PARTITION BY o.profile_id) AS orders
    FROM ({counted}) AS o
) AS ranked WHERE nth = 1 AND orders >= 2
"""
# The distinct products of each held-out order.
HELD = """
CREATE TEMPORARY TABLE crm_reco_held ON COMMIT DROP AS
SELECT DISTINCT h.profile_id, line->>'product_id' AS product_id
FROM crm_reco_holdout h JOIN crm_order_snapshot o ON o.id = h.order_id
CROSS JOIN LATERAL jsonb_array_elements(CASE jsonb_typeof(o.lines) WHEN 'array' THEN o.lines ELSE '[]' END) AS line
WHERE COALESCE(line->>'product_id', '') <> ''
"""
# The popularity baseline (param: k x2): the k best sellers of the training orders each evaluated
# customer did not buy in them.
BASELINE = """
CREATE TEMPORARY TABLE crm_reco_baseline ON COMMIT DROP AS
SELECT profile_id, product_id FROM (
    SELECT h.profile_id, p.product_id,
           ROW_NUMBER() OVER (PARTITION BY h.profile_id ORDER BY p.popularity_rank) AS nth
    FROM (SELECT DISTINCT profile_id FROM crm_reco_held) h
    JOIN crm_reco_product p ON p.popularity_rank <= %s + (
        SELECT COUNT(*) FROM crm_reco_owned o WHERE o.profile_id = h.profile_id)
    WHERE NOT EXISTS (SELECT 1 FROM crm_reco_owned o WHERE o.profile_id = h.profile_id AND o.product = p.id)
) AS ranked WHERE nth <= %s
"""


def hits_sql(recommended: str) -> str:
    """Customers evaluated, hit rate and mean recall of ``recommended`` (SQL of profile_id, product_id)."""
    return f"""
SELECT COUNT(*), COALESCE(AVG(CASE WHEN found > 0 THEN 1.0 ELSE 0 END), 0), COALESCE(AVG(1.0 * found / held), 0)
FROM (
    SELECT h.profile_id, COUNT(*) AS held, COUNT(r.product_id) AS found
    FROM crm_reco_held h
    LEFT JOIN ({recommended}) AS r ON r.profile_id = h.profile_id AND r.product_id = h.product_id
    GROUP BY h.profile_id
) AS per_customer
"""
