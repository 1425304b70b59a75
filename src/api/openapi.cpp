// The OpenAPI 3.0 description of the web API, served at GET /openapi.json. Written by hand;
// tests/api compares its paths and methods with route_table() so that the two cannot drift.
#include "jiebang/api/api.h"

namespace jiebang::api {
namespace {

constexpr const char* kOpenApi = R"json(
{
  "openapi": "3.0.3",
  "info": {
    "title": "jiebang web API",
    "version": "1.0.0",
    "description": "Matching for 揭榜挂帅 scenario-opportunity marketplaces: publishers post scenarios, enterprises keep profiles and search, everyone sees explained matches and follows each match through its stages. Errors are application/problem+json (RFC 9457). Writes are acknowledged after the store commit and are searchable when the call returns; ?consistent=true on a search first applies any change another process made."
  },
  "security": [{"bearer": []}],
  "paths": {
    "/v1/scenarios": {
      "post": {
        "summary": "Create a scenario. A publisher key posts for its own organisation (a missing publisher is filled in; another one is 403).",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
        "responses": {"201": {"description": "The stored record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"},
                      "413": {"$ref": "#/components/responses/Problem"}, "415": {"$ref": "#/components/responses/Problem"}}
      },
      "get": {
        "summary": "Search scenarios: ranked results with snippets, exact total and facet counts over all results, and an opaque cursor for the next page (no depth cap).",
        "parameters": [
          {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Search words, Chinese or English; empty lists every scenario passing the filters"},
          {"name": "region", "in": "query", "schema": {"type": "string"}, "description": "GB/T 2260 code or unique place name; a city or province also finds its areas"},
          {"name": "industry", "in": "query", "schema": {"type": "string"}, "description": "GB/T 4754-2017 code; a section or division also finds its classes"},
          {"name": "status", "in": "query", "schema": {"type": "string", "enum": ["open", "closed", "awarded", "any"], "default": "open"}, "description": "open leaves out scenarios whose deadline has passed"},
          {"$ref": "#/components/parameters/Limit"},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page; only valid with the same q and filters (else 400)"},
          {"name": "consistent", "in": "query", "schema": {"type": "boolean", "default": false}, "description": "apply pending store changes to the index before searching"}
        ],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SearchPage"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "414": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/scenarios/import": {
      "post": {
        "summary": "Import a whole list: JSON Lines (application/x-ndjson) or CSV (text/csv, published Chinese headers mapped; UTF-8 or GB18030). Good records are stored, bad ones reported by line.",
        "requestBody": {"required": true, "content": {"application/x-ndjson": {"schema": {"type": "string"}}, "text/csv": {"schema": {"type": "string"}}}},
        "responses": {"200": {"description": "Counts and per-line errors", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ImportReport"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "413": {"$ref": "#/components/responses/Problem"},
                      "415": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/scenarios/{id}": {
      "parameters": [{"$ref": "#/components/parameters/Id"}],
      "get": {
        "summary": "One scenario (any key).",
        "responses": {"200": {"description": "The record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      },
      "put": {
        "summary": "Replace (upsert) a scenario: its publisher or the operator.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
        "responses": {"200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                      "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}
      },
      "patch": {
        "summary": "Partial update as a JSON merge patch (RFC 7396), e.g. {\"status\": \"closed\"}: its publisher or the operator.",
        "requestBody": {"required": true, "content": {"application/merge-patch+json": {"schema": {"type": "object"}}, "application/json": {"schema": {"type": "object"}}}},
        "responses": {"200": {"description": "The stored record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/scenarios/{id}/matches": {
      "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/Limit"}],
      "get": {
        "summary": "Enterprises ranked for the scenario, with score components and reasons: its publisher or the operator.",
        "responses": {"200": {"description": "Ranked results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MatchResults"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/enterprises": {
      "post": {
        "summary": "Create an enterprise profile: the enterprise itself (its key's id) or the operator.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
        "responses": {"201": {"description": "The stored profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "409": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/enterprises/{id}": {
      "parameters": [{"$ref": "#/components/parameters/Id"}],
      "get": {
        "summary": "An enterprise profile. contact and size only to the enterprise itself and the operator; publishers see the rest; other enterprises get 403.",
        "responses": {"200": {"description": "The profile", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}
      },
      "put": {
        "summary": "Replace (upsert) the profile: the enterprise itself or the operator.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
        "responses": {"200": {"description": "Replaced", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
                      "201": {"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Enterprise"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/enterprises/{id}/matches": {
      "parameters": [{"$ref": "#/components/parameters/Id"}, {"$ref": "#/components/parameters/Limit"}],
      "get": {
        "summary": "Open scenarios ranked for the enterprise, explained: the enterprise itself or the operator.",
        "responses": {"200": {"description": "Ranked results", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MatchResults"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/matches": {
      "post": {
        "summary": "Start a match: an enterprise key applies (stage applied, 揭榜), a publisher key invites (stage recommended); an operator may give either stage.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewMatch"}}}},
        "responses": {"201": {"description": "The match", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Match"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                      "409": {"$ref": "#/components/responses/Problem"}}
      },
      "get": {
        "summary": "Matches the caller may see (publisher: its organisation's; enterprise: its own; operator: all), filtered, in id order.",
        "parameters": [
          {"name": "scenario_id", "in": "query", "schema": {"type": "string"}},
          {"name": "enterprise_id", "in": "query", "schema": {"type": "string"}},
          {"name": "stage", "in": "query", "schema": {"$ref": "#/components/schemas/Stage"}},
          {"name": "after", "in": "query", "schema": {"type": "string"}, "description": "next_after of the previous page"},
          {"$ref": "#/components/parameters/Limit"}
        ],
        "responses": {"200": {"description": "Matches without histories", "content": {"application/json": {"schema": {"type": "object", "properties": {"matches": {"type": "array", "items": {"$ref": "#/components/schemas/Match"}}, "next_after": {"type": "string", "nullable": true}}}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/matches/{id}": {
      "parameters": [{"$ref": "#/components/parameters/Id"}],
      "get": {
        "summary": "A match with its whole history: its publisher, its enterprise, the operator.",
        "responses": {"200": {"description": "The match", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Match"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"},
                      "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/matches/{id}/events": {
      "parameters": [{"$ref": "#/components/parameters/Id"}],
      "post": {
        "summary": "Move the match to another stage (an append-only event). An illegal move is 409 naming the current stage and the allowed next stages.",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MoveRequest"}}}},
        "responses": {"200": {"description": "The match after the move", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Match"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"},
                      "409": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/funnel": {
      "get": {
        "summary": "The funnel per group: matches reaching each stage, conversion to the next, median days in stage, stalled matches. Operator: all groups; publisher: its own organisation (group_by=publisher, or per scenario of its own with group_by=scenario).",
        "parameters": [
          {"name": "group_by", "in": "query", "schema": {"type": "string", "enum": ["publisher", "region", "industry", "scenario"]}},
          {"name": "from", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "matches created on or after this Beijing day (YYYY-MM-DD, Asia/Shanghai)"},
          {"name": "to", "in": "query", "schema": {"type": "string", "format": "date"}, "description": "matches created on or before this Beijing day (YYYY-MM-DD, Asia/Shanghai)"}
        ],
        "responses": {"200": {"description": "Groups", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Funnel"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/gaps": {
      "get": {
        "summary": "Supply gaps (operator key): open scenarios whose best candidate's absolute text fit is below the threshold, grouped by GB/T 4754 division and GB/T 2260 city, the groups with most gaps first.",
        "parameters": [
          {"name": "threshold", "in": "query", "schema": {"type": "number", "minimum": 0, "maximum": 1}, "description": "absolute text fit below which a scenario is a gap (default: gap_text_fit of the ranking weights, 0.4)"}
        ],
        "responses": {"200": {"description": "Gaps", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/SupplyGaps"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/publishers/{publisher}/scenarios": {
      "parameters": [{"name": "publisher", "in": "path", "required": true, "schema": {"type": "string"}, "description": "the publisher's organisation name as its key's scope says it, percent-encoded (e.g. %E5%9B%BD%E7%BD%91… for 国网…)"}],
      "get": {
        "summary": "A publisher's own scenarios: every one it published, closed and awarded ones too, the last posted or changed first (what its /my-scenarios page lists). That publisher's key or the operator's; another publisher or an enterprise is 403.",
        "parameters": [
          {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}, "description": "page size (default 50); above 100 is 400"},
          {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page of the same publisher's list (else 400)"}
        ],
        "responses": {"200": {"description": "One page", "content": {"application/json": {"schema": {"type": "object", "properties": {
                        "publisher": {"type": "string"}, "total": {"type": "integer"}, "offset": {"type": "integer"},
                        "scenarios": {"type": "array", "items": {"$ref": "#/components/schemas/Scenario"}},
                        "next_cursor": {"type": "string", "nullable": true}}}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/digests": {
      "get": {
        "summary": "The weekly digest runs, newest week first, each as its run summary (operator key).",
        "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1}, "description": "runs to list (default 52)"}],
        "responses": {"200": {"description": "Runs", "content": {"application/json": {"schema": {"type": "object", "properties": {"runs": {"type": "array", "items": {"$ref": "#/components/schemas/DigestSummary"}}}}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/digests/{week}/recipients": {
      "parameters": [{"$ref": "#/components/parameters/Week"}],
      "get": {
        "summary": "The recipients a week's run processed (kind, id, name, language, items), by kind then id (operator key).",
        "responses": {"200": {"description": "Recipients", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/digests/{week}": {
      "parameters": [{"$ref": "#/components/parameters/Week"}],
      "get": {
        "summary": "The run summary of a week's digest: the days it covers, its settings, recipients, items, time taken (operator key).",
        "responses": {"200": {"description": "Summary", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DigestSummary"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/v1/digests/{week}/recipients/{id}": {
      "parameters": [{"$ref": "#/components/parameters/Week"}, {"$ref": "#/components/parameters/Id"}],
      "get": {
        "summary": "One recipient's digest as stored: recommended scenarios (an enterprise) or candidates (a publisher), each with its reason, and stalled matches. For that enterprise's or publisher's key, or the operator's.",
        "parameters": [{"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["enterprise", "publisher"]}, "description": "which kind of recipient the id names (operator; default: an enterprise id, else a publisher)"}],
        "responses": {"200": {"description": "The digest", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Digest"}}}},
                      "400": {"$ref": "#/components/responses/Problem"}, "401": {"$ref": "#/components/responses/Problem"},
                      "403": {"$ref": "#/components/responses/Problem"}, "404": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/healthz": {
      "get": {
        "summary": "Liveness and the store/index state (no key).",
        "security": [],
        "responses": {"200": {"description": "Healthy", "content": {"application/json": {"schema": {"type": "object"}}}},
                      "503": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/metrics": {
      "get": {
        "summary": "Prometheus text format: requests by route and status, a latency histogram, index lag (operator key).",
        "responses": {"200": {"description": "Metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
                      "401": {"$ref": "#/components/responses/Problem"}, "403": {"$ref": "#/components/responses/Problem"}}
      }
    },
    "/openapi.json": {
      "get": {
        "summary": "This document (no key).",
        "security": [],
        "responses": {"200": {"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}}}
      }
    }
  },
  "components": {
    "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "A key made by `jiebang keys create`: publisher (scoped to an organisation), enterprise (scoped to its id) or operator."}},
    "parameters": {
      "Id": {"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "description": "percent-encoded record or match id"},
      "Week": {"name": "week", "in": "path", "required": true, "schema": {"type": "string", "pattern": "^[0-9]{4}-W[0-9]{2}$"}, "description": "ISO 8601 week, e.g. 2026-W48 (Asia/Shanghai)"},
      "Limit": {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}, "description": "page size; above 100 is 400"}
    },
    "responses": {
      "Problem": {"description": "RFC 9457 problem details", "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    },
    "schemas": {
      "DigestSummary": {"type": "object", "properties": {
        "week": {"type": "string"}, "covers": {"type": "object", "properties": {"from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}},
        "cutoff": {"type": "string", "format": "date"}, "settings": {"type": "object"},
        "recipients": {"type": "integer"}, "recipients_with_items": {"type": "integer"}, "items": {"type": "integer"},
        "seconds": {"type": "number"}, "attempts": {"type": "integer"},
        "started_at": {"type": "string", "format": "date-time"}, "finished_at": {"type": "string"}}},
      "Digest": {"type": "object", "properties": {
        "week": {"type": "string"}, "covers": {"type": "object"},
        "recipient": {"type": "object", "properties": {"kind": {"type": "string", "enum": ["enterprise", "publisher"]}, "id": {"type": "string"}, "name": {"type": "string"}, "language": {"type": "string", "enum": ["zh", "en"]}}},
        "items": {"type": "array", "items": {"type": "object", "description": "rank, type (scenario | candidate), scenario, enterprise (candidates), score, text_fit (absolute, 0-1), reason, components, matched_terms, link"}},
        "stalled": {"type": "array", "items": {"type": "object", "description": "match_id, stage, days, since, scenario, enterprise, reason, link"}}}},
      "Problem": {"type": "object", "required": ["type", "title", "status", "detail"], "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"}, "detail": {"type": "string"},
        "field": {"type": "string", "description": "the offending field"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}},
        "stage": {"$ref": "#/components/schemas/Stage"},
        "allowed_next": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"}}}},
      "Stage": {"type": "string", "enum": ["recommended", "applied", "selected", "rd", "validation", "commercialized", "withdrawn", "rejected", "failed"]},
      "Scenario": {"type": "object", "required": ["id", "title", "description"], "additionalProperties": true, "description": "shared/schema/RECORDS.md; unknown keys are kept", "properties": {
        "id": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"}, "publisher": {"type": "string"},
        "list": {"type": "string"}, "region": {"type": "string"}, "industries": {"type": "array", "items": {"type": "string"}},
        "keywords": {"type": "array", "items": {"type": "string"}}, "required_trl": {"type": "integer", "minimum": 1, "maximum": 9},
        "budget": {"type": "object", "properties": {"amount_min": {"type": "number"}, "amount_max": {"type": "number"}, "currency": {"type": "string"}}},
        "required_qualifications": {"type": "array", "items": {"type": "string"}}, "deadline": {"type": "string", "format": "date"},
        "posted_at": {"type": "string", "format": "date"}, "status": {"type": "string", "enum": ["open", "closed", "awarded"]}, "policy": {"type": "object"}}},
      "Enterprise": {"type": "object", "required": ["id", "name"], "additionalProperties": true, "properties": {
        "id": {"type": "string", "description": "USCC (GB 32100-2015) or platform id"}, "name": {"type": "string"}, "description": {"type": "string"},
        "capabilities": {"type": "array", "items": {"type": "string"}}, "cases": {"type": "array", "items": {"type": "object"}},
        "region": {"type": "string"}, "industries": {"type": "array", "items": {"type": "string"}}, "trl": {"type": "integer"},
        "qualifications": {"type": "array", "items": {"type": "string"}},
        "size": {"type": "object", "description": "private"}, "contact": {"type": "object", "description": "private"}}},
      "SearchPage": {"type": "object", "properties": {
        "query": {"type": "string"}, "total": {"type": "integer"}, "offset": {"type": "integer"},
        "results": {"type": "array", "items": {"type": "object", "properties": {"id": {"type": "string"}, "title": {"type": "string"}, "snippet": {"type": "string", "description": "HTML-escaped, matches in <b>"}, "score": {"type": "number"}, "matched_terms": {"type": "array", "items": {"type": "string"}}, "attributes": {"type": "object"}}}},
        "facets": {"type": "object", "properties": {"region": {"type": "object", "additionalProperties": {"type": "integer"}}, "industry": {"type": "object", "additionalProperties": {"type": "integer"}}}},
        "next_cursor": {"type": "string", "nullable": true}}},
      "ImportReport": {"type": "object", "properties": {
        "read": {"type": "integer"}, "inserted": {"type": "integer"}, "updated": {"type": "integer"}, "unchanged": {"type": "integer"},
        "rejected": {"type": "integer"}, "encoding": {"type": "string"}, "seconds": {"type": "number"},
        "errors": {"type": "array", "items": {"type": "object", "properties": {"line": {"type": "integer"}, "id": {"type": "string"}, "field": {"type": "string"}, "message": {"type": "string"}}}}}},
      "MatchResults": {"type": "object", "properties": {"results": {"type": "array", "items": {"type": "object", "properties": {
        "rank": {"type": "integer"}, "id": {"type": "string"}, "name": {"type": "string"}, "score": {"type": "number"}, "text_fit": {"type": "number", "description": "absolute text fit, 0-1, comparable across scenarios"}, "reason": {"type": "string"},
        "components": {"type": "object", "additionalProperties": {"type": "object", "properties": {"fit": {"type": "number"}, "contribution": {"type": "number"}, "reason": {"type": "string"}}}},
        "matched_terms": {"type": "array", "items": {"type": "string"}}, "attributes": {"type": "object"}}}}}},
      "NewMatch": {"type": "object", "required": ["scenario_id", "enterprise_id"], "properties": {
        "scenario_id": {"type": "string"}, "enterprise_id": {"type": "string"}, "note": {"type": "string"},
        "stage": {"type": "string", "enum": ["applied", "recommended"], "description": "operator only"}}},
      "MoveRequest": {"type": "object", "required": ["to"], "additionalProperties": false, "properties": {
        "to": {"$ref": "#/components/schemas/Stage"}, "note": {"type": "string"}, "evidence": {"type": "string", "description": "a URL or a document reference"},
        "contract_value": {"oneOf": [{"type": "string", "pattern": "^[0-9]{1,13}(\\.[0-9]{1,2})?$"}, {"type": "number"}], "description": "major units (yuan), converted exactly to fen; needed for commercialized"},
        "contract_currency": {"type": "string", "default": "CNY"}, "expected_from": {"$ref": "#/components/schemas/Stage"}}},
      "Match": {"type": "object", "properties": {
        "id": {"type": "string"}, "scenario_id": {"type": "string"}, "enterprise_id": {"type": "string"}, "publisher": {"type": "string"},
        "stage": {"$ref": "#/components/schemas/Stage"}, "created_at": {"type": "string"}, "updated_at": {"type": "string"},
        "allowed_next": {"type": "array", "items": {"$ref": "#/components/schemas/Stage"}},
        "history": {"type": "array", "items": {"type": "object", "properties": {
          "seq": {"type": "integer"}, "actor": {"type": "object"}, "at": {"type": "string"}, "from": {"type": "string", "nullable": true},
          "to": {"type": "string"}, "note": {"type": "string"}, "evidence": {"type": "string"}, "correction": {"type": "boolean"},
          "contract_value": {"type": "string"}, "contract_value_minor": {"type": "integer"}, "contract_currency": {"type": "string"}}}}}},
      "SupplyGaps": {"type": "object", "properties": {
        "threshold": {"type": "number"}, "open_scenarios": {"type": "integer"}, "gaps": {"type": "integer"},
        "groups": {"type": "array", "items": {"type": "object", "properties": {
          "industry": {"type": "string"}, "industry_name": {"type": "string"}, "region": {"type": "string"}, "region_name": {"type": "string"},
          "scenarios": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "publisher": {"type": "string"}, "deadline": {"type": "string"},
            "best_enterprise": {"type": "object", "nullable": true, "properties": {"id": {"type": "string"}, "name": {"type": "string"}}},
            "best_text_fit": {"type": "number"}}}}}}}}},
      "Funnel": {"type": "object", "properties": {
        "group_by": {"type": "string"}, "from": {"type": "string"}, "to": {"type": "string"},
        "groups": {"type": "array", "items": {"type": "object", "properties": {
          "group": {"type": "string"}, "matches": {"type": "integer"},
          "stages": {"type": "array", "items": {"type": "object", "properties": {"stage": {"type": "string"}, "reached": {"type": "integer"}, "conversion_to_next": {"type": "number", "nullable": true}, "median_days": {"type": "number", "nullable": true}}}},
          "withdrawn": {"type": "integer"}, "rejected": {"type": "integer"}, "failed": {"type": "integer"},
          "contract_value": {"type": "object", "additionalProperties": {"type": "string"}},
          "stalled": {"type": "array", "items": {"type": "object", "properties": {"match_id": {"type": "string"}, "stage": {"type": "string"}, "days": {"type": "number"}}}}}}}}}
    }
  }
}
)json";

}  // namespace

const nlohmann::json& openapi_document() {
  static const nlohmann::json kDocument = nlohmann::json::parse(kOpenApi);
  return kDocument;
}

}  // namespace jiebang::api
