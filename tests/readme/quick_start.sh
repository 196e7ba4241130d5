# 1. A Kadence token, and the demo's Ben and New York's Floor 2 by their Kadence ids (table below)
K=localhost:8000/v1/public R=localhost:8000/v1.0
AUTH="Authorization: Bearer $(curl -s localhost:8000/oauth2/token -d grant_type=client_credentials \
  -d client_id=demo-client -d client_secret=demo-secret | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')"
BEN=01JGXDFAM0Y7GX7JEEEFTZAA5Y FLOOR=01JGXDFAM0S1TV3MPS50GVW6RA
START=$(date -u +%Y-%m-%dT%H:%M:00) END=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:00)   # macOS: date -u -v+2H ...
field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# 2. Book Ben the first free desk there for the next two hours, through Kadence
DESK=$(curl -s -H "$AUTH" "$K/bookable-spaces?floorId=$FLOOR&userId=$BEN&startDateTime=$START&endDateTime=$END" \
  | field 'd["hydra:member"][0]["name"]')
DESK_ID=$(curl -s -H "$AUTH" "$K/spaces?floorId=$FLOOR" | field "next(s['id'] for s in d['hydra:member'] if s['name'] == '$DESK')")
BOOKING=$(curl -s -H "$AUTH" -H 'Content-Type: application/json' "$K/bookings" \
  -d '{"userId": "'$BEN'", "spaceId": "'$DESK_ID'", "startDateTime": "'$START'", "endDateTime": "'$END'"}' | field 'd["id"]')
echo "Kadence booked $DESK for Ben: booking $BOOKING"

# 3. See it through Robin: Ben is Robin's user 2, the desk a seat of the same name (table below)
curl -s -H 'Authorization: Access-Token demo-robin-token' "$R/reservations/seats?user_ids=2&after=${START}Z&before=${END}Z" \
  | field '[(r["seat_id"], r["start"]["date_time"]) for r in d["data"]]'

# 4. Cancel it through Kadence: Robin no longer lists it
curl -s -H "$AUTH" -H 'Content-Type: application/json' "$K/bookings/$BOOKING/cancel" -d '{}' | field 'd["status"]'
curl -s -H 'Authorization: Access-Token demo-robin-token' "$R/reservations/seats?user_ids=2&after=${START}Z&before=${END}Z" \
  | field 'len(d["data"])'
