-- The exercise library, seeded with a starting set written for chronic low back pain.
-- Cues and common mistakes are one per line.
CREATE TABLE exercises (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('breathing_motor_control', 'mobility', 'stability', 'strength', 'conditioning')),
    phase INTEGER NOT NULL CHECK (phase BETWEEN 1 AND 3),
    instructions TEXT NOT NULL,
    cues TEXT NOT NULL,
    common_mistakes TEXT NOT NULL,
    default_sets INTEGER,
    default_reps INTEGER,
    default_hold_seconds INTEGER,
    default_duration_seconds INTEGER,
    video_url TEXT,
    archived BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX exercises_category ON exercises (category, phase);

INSERT INTO exercises VALUES
    ('exercise-diaphragmatic-breathing', 'diaphragmatic-breathing', 'Diaphragmatic breathing', 'breathing_motor_control', 1, 'Lie on your back, knees bent, one hand on the chest and one on the belly. Breathe in through the nose so the lower ribs and belly rise; breathe out slowly through pursed lips.', 'Ribs widen sideways on the way in
Long, slow breath out
Chest hand stays still', 'Lifting the shoulders
Holding the breath
Forcing the belly out', 1, NULL, NULL, 300, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-transverse-abdominis-drawing-in', 'transverse-abdominis-drawing-in', 'Transverse abdominis drawing-in', 'breathing_motor_control', 1, 'Lie on your back, knees bent, spine neutral. Breathe out and gently draw the lower belly in towards the spine without moving the pelvis. Hold while breathing normally.', 'About 30% effort
Keep breathing
Pelvis stays still', 'Flattening the back into the floor
Holding the breath
Bracing too hard', 3, 10, 10, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-dead-bug', 'dead-bug', 'Dead bug', 'stability', 1, 'Lie on your back, arms towards the ceiling, hips and knees at 90 degrees. Keep the low back steady while slowly lowering the opposite arm and leg, then return and switch.', 'Ribs down
Move slowly
Breathe out as the limbs lower', 'Back arching off the floor
Rushing
Holding the breath', 3, 8, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-bird-dog', 'bird-dog', 'Bird dog', 'stability', 1, 'On hands and knees, spine neutral. Reach one arm forward and the opposite leg back until level with the trunk, hold, and return without the pelvis rocking.', 'Hips stay level
Reach long, not high
Pause at the end', 'Arching the low back
Rotating the pelvis
Lifting the leg too high', 3, 8, 3, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-glute-bridge', 'glute-bridge', 'Glute bridge', 'strength', 1, 'Lie on your back, knees bent, feet hip-width. Press through the heels to lift the hips until knees, hips and shoulders line up; lower slowly.', 'Squeeze the glutes at the top
Ribs down
Push through the heels', 'Arching the back at the top
Pushing from the toes
Knees falling in', 3, 12, 2, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-single-leg-bridge', 'single-leg-bridge', 'Single-leg bridge', 'strength', 2, 'As a glute bridge with one foot on the floor and the other knee held towards the chest or the leg straight. Lift and lower with the pelvis level.', 'Pelvis level
Drive through the heel
Slow on the way down', 'Hip dropping on the free side
Twisting
Cramping hamstrings from pushing through toes', 3, 8, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-side-plank-short-lever', 'side-plank-short-lever', 'Side plank (short lever)', 'stability', 1, 'Lie on your side, propped on the forearm, knees bent. Lift the hips so the body is straight from head to knees; hold and breathe.', 'Elbow under the shoulder
Hips forward
Breathe', 'Hips sagging
Rolling backwards
Shrugging the shoulder', 3, NULL, 20, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-side-plank-long-lever', 'side-plank-long-lever', 'Side plank (long lever)', 'stability', 2, 'As the short-lever side plank with the legs straight, balancing on the feet. Hold with the body in one line.', 'Straight line from head to feet
Push the floor away
Steady breathing', 'Hips sagging or piking
Holding the breath', 3, NULL, 20, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-front-plank', 'front-plank', 'Front plank', 'stability', 2, 'On forearms and toes, body in one line from head to heels. Hold while breathing steadily.', 'Ribs down
Squeeze the glutes
Look at the floor', 'Sagging low back
Hips too high
Holding the breath', 3, NULL, 30, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-clamshell', 'clamshell', 'Clamshell', 'strength', 1, 'Lie on your side, hips and knees bent, heels together. Lift the top knee without rolling the pelvis back; lower slowly. A band above the knees adds load.', 'Pelvis stacked
Move from the hip
Slow lowering', 'Rolling the pelvis back
Rushing
Feet separating', 3, 12, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-half-kneeling-hip-flexor-stretch', 'half-kneeling-hip-flexor-stretch', 'Half-kneeling hip flexor stretch', 'mobility', 1, 'Kneel on one knee, the other foot in front. Tuck the pelvis slightly and shift forward until a stretch is felt at the front of the kneeling hip.', 'Squeeze the glute of the kneeling side
Tall trunk
Small movement', 'Arching the low back
Leaning too far forward', 2, NULL, 30, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-ninety-ninety-hip-rotation', 'ninety-ninety-hip-rotation', '90/90 hip rotation', 'mobility', 1, 'Sit with both knees bent at 90 degrees, one leg in front and one to the side. Rotate the knees to the other side, turning through the hips, and back.', 'Tall spine
Slow and controlled
Use the hands for support if needed', 'Collapsing the trunk
Forcing range', 2, 8, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-cat-camel', 'cat-camel', 'Cat-camel', 'mobility', 1, 'On hands and knees, slowly round the spine towards the ceiling, then let it sag gently into extension, moving within a comfortable range.', 'Move one segment at a time
Breathe with the movement
Stay pain-free', 'Moving too fast
Pushing into pain', 2, 10, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-thoracic-open-book', 'thoracic-open-book', 'Thoracic open book', 'mobility', 1, 'Lie on your side, knees bent and stacked, arms together in front. Open the top arm to the other side, turning the upper back, and return.', 'Knees stay together
Follow the hand with the eyes
Breathe out as you open', 'Rolling the pelvis
Forcing the shoulder', 2, 8, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-dowel-hip-hinge', 'dowel-hip-hinge', 'Dowel hip hinge', 'strength', 1, 'Stand holding a dowel along the spine touching the head, upper back and tailbone. Push the hips back, bending at the hips with soft knees, keeping all three contacts, then stand tall.', 'Hips back, not down
Three points of contact
Stand up by squeezing the glutes', 'Rounding the back
Bending the knees too much
Losing contact at the head', 3, 10, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-goblet-squat', 'goblet-squat', 'Goblet squat', 'strength', 2, 'Hold a weight at the chest, feet shoulder-width. Sit down between the heels keeping the chest up, then stand.', 'Knees track over the toes
Whole foot on the floor
Chest proud', 'Heels lifting
Knees collapsing in
Rounding the back', 3, 10, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-split-squat', 'split-squat', 'Split squat', 'strength', 2, 'Stand in a long stride. Lower the back knee towards the floor keeping the trunk tall, then push back up. Hold a support if needed.', 'Front knee over the foot
Tall trunk
Control the way down', 'Front heel lifting
Leaning forward
Knee collapsing inwards', 3, 8, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-suitcase-carry', 'suitcase-carry', 'Suitcase carry', 'conditioning', 3, 'Hold a weight in one hand at your side and walk tall without leaning towards or away from it. Switch hands.', 'Stand tall
Shoulders level
Steady steps', 'Leaning to one side
Shrugging', 3, NULL, NULL, 40, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-farmer-carry', 'farmer-carry', 'Farmer carry', 'conditioning', 3, 'Hold a weight in each hand and walk tall with steady steps.', 'Tall posture
Grip firmly
Breathe', 'Rounding the shoulders
Rushing', 3, NULL, NULL, 40, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-pallof-press', 'pallof-press', 'Pallof press', 'stability', 2, 'Stand side-on to a band anchored at chest height, holding it at the chest. Press the hands straight out and resist the pull to rotate, then bring them back.', 'Hips and ribs face forward
Press slowly
Breathe out as you press', 'Rotating towards the anchor
Standing too close', 3, 10, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-band-row', 'band-row', 'Band row', 'strength', 2, 'Hold a band anchored in front at chest height. Pull the hands towards the ribs, squeezing the shoulder blades, then return slowly.', 'Shoulders down and back
Elbows close to the body
Control the return', 'Shrugging
Leaning back', 3, 12, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-incline-push-up', 'incline-push-up', 'Incline push-up', 'strength', 2, 'Hands on a bench or counter, body in one line. Lower the chest towards the hands and push back up.', 'Body in one line
Elbows at about 45 degrees
Full range', 'Sagging hips
Flaring the elbows', 3, 10, NULL, NULL, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc')),
    ('exercise-graded-walking-program', 'graded-walking-program', 'Graded walking program', 'conditioning', 1, 'Walk at a comfortable pace for the prescribed time, adding a few minutes each week as symptoms allow.', 'Conversational pace
Regular rhythm
Increase gradually', 'Doing too much on good days
Stopping entirely on bad days', 1, NULL, NULL, 900, NULL, FALSE, (now() AT TIME ZONE 'utc'), (now() AT TIME ZONE 'utc'));
