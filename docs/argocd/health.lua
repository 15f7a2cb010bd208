-- Argo CD health check for serving.endpoint-operator.io/ModelEndpoint.
--
-- Healthy     Ready=True, judged at the current generation, no rollout under way
--             (autoscaling still being configured does not hold it back)
-- Progressing the operator has not judged this generation yet, or the endpoint is
--             being created or updated, or a canary is stepping
-- Suspended   a rollout holds for promotion (AwaitingPromotion) or is paused, or
--             spec.costControls keeps the endpoint suspended (Suspended=True)
-- Degraded    Degraded=True (a failed endpoint, a refused spec), a canary gate
--             failed (Halted), or the rollout rolled back
--
-- Argo CD opens only its base, table, package and safe os libraries to this script
-- (no string, no math) unless argocd-cm sets useOpenLibs for the kind: it uses none
-- of string or math, so it needs no such setting.
local hs = {}

local function condition(status, kind)
  if status == nil or status.conditions == nil then
    return nil
  end
  for _, c in ipairs(status.conditions) do
    if c.type == kind then
      return c
    end
  end
  return nil
end

local function text(c, fallback)
  if c ~= nil and c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c ~= nil and c.reason ~= nil then
    return c.reason
  end
  return fallback
end

local function judged(c, generation)
  -- A condition without observedGeneration is taken as current.
  return c ~= nil and (c.observedGeneration == nil or generation == nil or c.observedGeneration == generation)
end

local status = obj.status
local generation = obj.metadata.generation
if status == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to see this ModelEndpoint"
  return hs
end
if generation ~= nil and (status.observedGeneration == nil or status.observedGeneration < generation) then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to act on generation " .. tostring(generation)
  return hs
end

local rollout = status.rollout or {}
local phase = rollout.phase
local ready = condition(status, "Ready")
local progressing = condition(status, "Progressing")
local degraded = condition(status, "Degraded")

-- Steps as the Step column shows them, counted from 1 ("step 2 of 3").
local function step()
  local where = ""
  if rollout.step ~= nil then
    where = " at step " .. tostring(rollout.step + 1)
    if rollout.steps ~= nil then
      where = where .. " of " .. tostring(rollout.steps)
    end
  end
  if rollout.weight == 0 then
    where = where .. " (all traffic on the primary)"
  elseif rollout.weight ~= nil then
    where = where .. " (" .. tostring(rollout.weight) .. "% on the new revision)"
  end
  return where
end

-- What a phase in motion is called in the message.
local moving = {
  Starting = "starting",
  Progressing = "progressing",
  Superseded = "superseded",
  Promoting = "promoting",
}

if phase == "RolledBack" or phase == "RollingBack" then
  hs.status = "Degraded"
  local verb = "rolled back"
  if phase == "RollingBack" then
    verb = "rolling back"
  end
  hs.message = "Rollout " .. verb .. step() .. ": " .. (rollout.message or rollout.lastGate or text(degraded, "a gate failed"))
  return hs
end
if phase == "Halted" then
  hs.status = "Degraded"
  hs.message = "Rollout halted" .. step() .. ": " .. (rollout.message or rollout.lastGate or "a gate failed")
  return hs
end
if degraded ~= nil and degraded.status == "True" and judged(degraded, generation) then
  hs.status = "Degraded"
  hs.message = text(degraded, "Degraded")
  return hs
end
local suspended = condition(status, "Suspended")
if suspended ~= nil and suspended.status == "True" and judged(suspended, generation) then
  hs.status = "Suspended"
  hs.message = text(suspended, "Suspended")
  return hs
end
if phase == "AwaitingPromotion" or phase == "Paused" then
  hs.status = "Suspended"
  local verb = "awaits promotion"
  if phase == "Paused" then
    verb = "is paused"
  end
  hs.message = "Rollout " .. verb .. step()
  return hs
end
if moving[phase] ~= nil then
  hs.status = "Progressing"
  hs.message = "Rollout " .. moving[phase] .. step()
  return hs
end
-- Serving the current generation is healthy, even while autoscaling is still being
-- configured (Progressing=True outside a rollout).
if ready ~= nil and ready.status == "True" and judged(ready, generation) then
  hs.status = "Healthy"
  hs.message = text(ready, "Ready")
  return hs
end
hs.status = "Progressing"
if progressing ~= nil and progressing.status == "True" then
  hs.message = text(progressing, "Progressing")
else
  hs.message = text(ready, "Waiting for Ready")
end
return hs
